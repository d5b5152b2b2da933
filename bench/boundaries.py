"""Benchmark: national boundary analysis against a plain pandas read-and-join.

Run as ``.venv/bin/python bench/boundaries.py [--data DIR] [--repeat N] [--check]``.

Ours: import the whole national practice → PCN lookup and the ONS LSOA → LAD
lookup with :func:`integramap.io.nhs.import_nhs`, then run every boundary
analysis (:func:`integramap.analysis.boundaries.analyse`) of ``pcn`` against
``local_authority`` and of ``pcn`` against ``place``.

Baseline: pandas reads the same two files, joins practices to districts by
LSOA, and answers the same straddle question: which PCNs span more than one
district, and which more than one sub-ICB location, each with its split (the
share of the PCN's practices in each).

Prints both times (best of ``--repeat`` runs; library imports excluded from
both), the floor any importer in Python meets (the csv module parsing the two
files and nothing else), the peak memory of the process, whether the two
agree, and as its last line ``ratio <ours/pandas>``. Targets: ratio ≤ 2, peak ≤ 1 GiB; ``--check``
exits 1 when a target is missed. Exits 2 when the data files are absent.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRACTICES = ("nhs-reference", "practice_pcn_lookup_2024.csv")
LSOA_LAD = ("nhs-reference", "lsoa21_to_lad.csv")
TARGET_RATIO = 2.0
TARGET_PEAK_BYTES = 1024**3
UNALLOCATED_PCN = "U"  # the national lookup's code for a practice in no PCN

T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs, and the last run's result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_bytes() -> int:
    """The process's peak resident memory so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def ours(practices: Path, lsoa_lad: Path) -> dict[str, Any]:
    from integramap.analysis.boundaries import analyse
    from integramap.io.nhs import import_nhs

    times: dict[str, float] = {}
    start = time.perf_counter()
    site = import_nhs(practices=practices, lsoa_lad=lsoa_lad)
    times["import"] = time.perf_counter() - start
    start = time.perf_counter()
    by_district = analyse(site, "pcn", "local_authority")
    times["pcn vs local_authority"] = time.perf_counter() - start
    start = time.perf_counter()
    by_place = analyse(site, "pcn", "place")
    times["pcn vs place"] = time.perf_counter() - start
    return {"times": times, "units": len(site.units), "areas": len(site.areas),
            "district": {s.unit: s.split for s in by_district.straddles},
            "place": {s.unit: s.split for s in by_place.straddles},
            "counts": (by_district.counts, by_place.counts)}


def baseline(practices: Path, lsoa_lad: Path) -> dict[str, Any]:
    import pandas as pd

    lookup = pd.read_csv(practices, dtype=str, usecols=["PRAC_CODE", "PRAC_LSOA21", "PCN_CODE", "LOC_CODE"])
    lsoas = pd.read_csv(lsoa_lad, dtype=str, usecols=["LSOA21CD", "LAD_CD"])
    lookup = lookup[lookup["PCN_CODE"].notna() & (lookup["PCN_CODE"] != UNALLOCATED_PCN)]
    joined = lookup.merge(lsoas, left_on="PRAC_LSOA21", right_on="LSOA21CD", how="left")
    # Each practice's list is one area of unknown population, as in the site model:
    # a PCN's share in a district (or sub-ICB location) is its share of practices there.
    return {"district": _splits(joined, "LAD_CD", "LAD:"), "place": _splits(joined, "LOC_CODE", "LOC:")}


def _splits(joined: Any, column: str, prefix: str) -> dict[str, dict[str, float]]:
    pairs = joined.groupby(["PCN_CODE", column]).size()
    spans = pairs.groupby(level=0).transform("size")
    split = (pairs / pairs.groupby(level=0).transform("sum"))[spans > 1]
    out: dict[str, dict[str, float]] = {}
    for (pcn, code), share in split.items():
        out.setdefault(str(pcn), {})[prefix + str(code)] = float(share)
    return out


def csv_parse_only(practices: Path, lsoa_lad: Path) -> int:
    """Rows in the two files, parsed by the csv module and nothing more: the floor for any
    importer written in Python that checks every row, as ours does."""
    import csv

    rows = 0
    for path in (practices, lsoa_lad):
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows += sum(1 for _ in csv.reader(fh))
    return rows


def agree(mine: dict[str, dict[str, float]], theirs: dict[str, dict[str, float]]) -> bool:
    """The same straddling units, each with the same partners and shares."""
    return mine.keys() == theirs.keys() and all(
        mine[u].keys() == split.keys() and all(abs(mine[u][k] - v) < 1e-9 for k, v in split.items())
        for u, split in theirs.items())


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

    import integramap.analysis.boundaries
    import integramap.io.nhs  # noqa: F401

    ours_time, mine = best_of(args.repeat, lambda: ours(practices, lsoa_lad))
    ours_peak = peak_bytes()
    pandas_time, theirs = best_of(args.repeat, lambda: baseline(practices, lsoa_lad))
    parse_time, _ = best_of(args.repeat, lambda: csv_parse_only(practices, lsoa_lad))
    peak = peak_bytes()

    print(f"national data: {mine['areas']:,} areas, {mine['units']:,} units")
    print(f"ours (import + every boundary analysis, best of {args.repeat}): {ours_time:.3f} s")
    for step, seconds in mine["times"].items():
        print(f"  {step:<24} {seconds:.3f} s (last run)")
    for name, counts in zip(("pcn vs local_authority", "pcn vs place"), mine["counts"]):
        print(f"  {name:<24} " + ", ".join(f"{k} {v}" for k, v in counts.model_dump().items()))
    print(f"pandas read-and-join (straddles only, best of {args.repeat}): {pandas_time:.3f} s")
    analyses = sum(t for step, t in mine["times"].items() if step != "import")
    print(f"ours without the import: {analyses:.3f} s ({analyses / pandas_time:.1f} × pandas); the import: "
          f"{mine['times']['import']:.3f} s ({mine['times']['import'] / pandas_time:.1f} × pandas)")

    print(f"floor: Python's csv module parsing the two files, nothing else: {parse_time:.3f} s "
          f"({parse_time / pandas_time:.1f} × pandas)")
    same = True
    for key, what in (("district", "districts"), ("place", "sub-ICB locations")):
        ok = agree(mine[key], theirs[key])
        same = same and ok
        print(f"PCNs straddling {what}: ours {len(mine[key])}, pandas {len(theirs[key])}, "
              f"splits {'agree' if ok else 'DIFFER'}")
    print(f"peak memory: {peak / 2**20:.0f} MiB (after ours: {ours_peak / 2**20:.0f} MiB; "
          f"target ≤ {TARGET_PEAK_BYTES / 2**20:.0f} MiB)")
    ratio = ours_time / pandas_time
    targets = {f"ratio ≤ {TARGET_RATIO:g}": ratio <= TARGET_RATIO, "peak ≤ 1 GiB": peak <= TARGET_PEAK_BYTES,
               "straddles agree": same}
    met = all(targets.values())
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in targets.items()))
    print(f"ratio {ratio:.2f}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
