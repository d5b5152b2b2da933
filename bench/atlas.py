"""Benchmark: the atlas of all 42 ICBs from the raw files, against a pandas script for the same straddles.

Run as ``.venv/bin/python bench/atlas.py [--data DIR] [--repeat N] [--check]``.

Ours: :func:`integramap.io.nhs.import_nhs` reads the national practice → PCN
lookup and the ONS LSOA → district lookup, then
:func:`integramap.analysis.atlas.atlas` cuts out every ICB (each PCN with a
practice in it kept whole) and reports its straddles over districts and
sub-ICB locations, both coterminosity figures and its typology code.

Baseline: pandas reads the same two files, joins practices to districts by
LSOA, and finds, per ICB, the PCNs with a practice in it whose practices lie
in two or more districts (or sub-ICB locations), with each one's share.

Prints both times (best of ``--repeat``), whether the straddle sets agree,
the processor time of each (steadier than the wall clock on a busy
machine), and as its last line ``ratio <ours/pandas>`` (wall clock). Target: ratio ≤ 2; ``--check``
exits 1 when it is missed or the two disagree. Exits 2 when the data files
are absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from boundaries import LSOA_LAD, PRACTICES, UNALLOCATED_PCN, best_of  # noqa: E402

TARGET_RATIO = 2.0
Straddles = dict[tuple[str, str], dict[str, dict[str, float]]]
"""(ICB code, layer) → {PCN: {district or location: share}}."""


def ours(practices: Path, lsoa_lad: Path) -> tuple[Straddles, dict[str, float]]:
    from integramap.analysis.atlas import atlas
    from integramap.io.nhs import import_nhs

    start = time.perf_counter()
    site = import_nhs(practices=practices, lsoa_lad=lsoa_lad)
    middle = time.perf_counter()
    found = atlas(site)
    times = {"import": middle - start, "atlas": time.perf_counter() - middle}
    return {(icb.code, layer): {s.pcn: s.split for s in splits}
            for icb in found.icbs for layer, splits in icb.straddles.items()}, times


def baseline(practices: Path, lsoa_lad: Path) -> Straddles:
    import pandas as pd

    lookup = pd.read_csv(practices, dtype=str,
                         usecols=["PRAC_CODE", "PRAC_LSOA21", "PCN_CODE", "LOC_CODE", "ICB_CODE"])
    lsoas = pd.read_csv(lsoa_lad, dtype=str, usecols=["LSOA21CD", "LAD_CD"])
    lookup = lookup[lookup["PCN_CODE"].notna() & (lookup["PCN_CODE"] != UNALLOCATED_PCN)]
    joined = lookup.merge(lsoas, left_on="PRAC_LSOA21", right_on="LSOA21CD", how="left")
    # Each PCN belongs to every ICB one of its practices is in, whole.
    members = joined[["PCN_CODE", "ICB_CODE"]].drop_duplicates()
    out: Straddles = {}
    for column, prefix, layer in (("LAD_CD", "LAD:", "local_authority"), ("LOC_CODE", "LOC:", "place")):
        known = joined[joined[column].notna()]
        pairs = known.groupby(["PCN_CODE", column]).size()
        spans = pairs.groupby(level=0).transform("size")
        split = (pairs / pairs.groupby(level=0).transform("sum"))[spans > 1].reset_index(name="share")
        split = split.merge(members, on="PCN_CODE")
        for icb in joined["ICB_CODE"].dropna().unique():
            out[(str(icb), layer)] = {}
        for icb, pcn, code, share in split[["ICB_CODE", "PCN_CODE", column, "share"]].itertuples(index=False):
            out.setdefault((str(icb), layer), {}).setdefault(str(pcn), {})[prefix + str(code)] = float(share)
    return out


def cpu_best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The least processor time of ``repeat`` runs, and the last run's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        best = min(best, time.process_time() - start)
    return best, result


def agree(mine: Straddles, theirs: Straddles) -> bool:
    """The same ICBs and layers, each with the same straddling PCNs, partners and shares."""
    return mine.keys() == theirs.keys() and all(
        mine[k].keys() == theirs[k].keys() and all(
            mine[k][p].keys() == split.keys() and all(abs(mine[k][p][c] - v) < 1e-9 for c, v in split.items())
            for p, split in theirs[k].items())
        for k in theirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                        help="folder holding nhs-reference/ (default ../shared/data)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best counts")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    practices, lsoa_lad = args.data.joinpath(*PRACTICES), args.data.joinpath(*LSOA_LAD)
    missing = [str(p) for p in (practices, lsoa_lad) if not p.is_file()]
    if missing:
        print("error: reference data not found: " + ", ".join(missing)
              + "; give the folder holding nhs-reference/ with --data", file=sys.stderr)
        return 2
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    import pandas  # noqa: F401  (imported before timing, as ours are)

    import integramap.analysis.atlas
    import integramap.io.nhs  # noqa: F401

    ours_time, (mine, times) = best_of(args.repeat, lambda: ours(practices, lsoa_lad))
    pandas_time, theirs = best_of(args.repeat, lambda: baseline(practices, lsoa_lad))
    # Processor time too: on a shared machine the wall clock also counts other people's work.
    ours_cpu, _ = cpu_best_of(args.repeat, lambda: ours(practices, lsoa_lad))
    pandas_cpu, _ = cpu_best_of(args.repeat, lambda: baseline(practices, lsoa_lad))
    same = agree(mine, theirs)
    icbs = len({icb for icb, _ in mine})
    counts: dict[str, Any] = {layer: sum(len(v) for (_, lay), v in mine.items() if lay == layer)
                              for layer in ("local_authority", "place")}
    print(f"ICBs: {icbs}; PCNs across districts, summed over ICBs: {counts['local_authority']}; "
          f"across sub-ICB locations: {counts['place']}")
    print(f"ours (import + atlas of every ICB, best of {args.repeat}): {ours_time:.3f} s")
    print(f"  the import {times['import']:.3f} s, the atlas {times['atlas']:.3f} s (last run)")
    print(f"pandas read-and-join (straddle sets per ICB, best of {args.repeat}): {pandas_time:.3f} s")
    print(f"processor time, best of {args.repeat}: ours {ours_cpu:.3f} s, pandas {pandas_cpu:.3f} s "
          f"(ratio {ours_cpu / pandas_cpu:.2f})")
    print(f"straddle sets {'agree' if same else 'DIFFER'}")
    ratio = ours_time / pandas_time
    met = ratio <= TARGET_RATIO
    print(f"targets: ratio ≤ {TARGET_RATIO:g} {'met' if met else 'NOT met'}, straddles agree "
          f"{'met' if same else 'NOT met'}")
    print(f"ratio {ratio:.2f}")
    return 1 if args.check and not (met and same) else 0


if __name__ == "__main__":
    sys.exit(main())
