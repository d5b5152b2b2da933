"""Map layout quality and time: IntegraMap's compound layout beside recognised layouts.

For Riverside (models/riverside-borough.yaml), the south-east London demo and the
largest ICB of the national practice lookup (both built from ../shared/data; skipped
with a message when it is absent), prints for each layout the pairs of unit shapes
drawn over one another, of boxes over unrelated boxes or units, of units whose labels
collide, of crossing links, and the time taken, measured the same way
(:func:`integramap.layout.measure_layout`), with ratios to the reference: Graphviz
``fdp`` with clusters (a force-directed layout that keeps clusters apart), when
Graphviz is installed. The old igraph Fruchterman-Reingold layout (what Arrange did
before) is a second baseline. Last, the time for the whole national import.

Run: ``.venv/bin/python bench/layout.py``
"""

from __future__ import annotations

import collections
import csv
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from integramap.io import read_site
from integramap.layout import compound_layout, measure_layout
from integramap.layout.compound import Point, inside_out, nesting
from integramap.layout.sizes import body_size, drawn_label
from integramap.model import Site
from integramap.layout.positions import arrange, site_edges

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
LOOKUP = SHARED / "nhs-reference" / "practice_pcn_lookup_2024.csv"
REFERENCE_TIMEOUT = 300.0
MAP_AREA = (840.0, 640.0)
"""The map's part of a 1400 × 900 window, for the label size when the whole layout is fitted."""
FONT = 13.0

Layout = Callable[[Site], dict[str, Point]]


def fruchterman_reingold(site: Site) -> dict[str, Point]:
    """The layout Arrange used before: igraph FR, units pulled towards their parent."""
    ids = [u.id for u in site.units]
    return arrange(ids, site_edges(site, ids))


def graphviz(engine: str) -> Layout:
    """A Graphviz layout with one cluster per box, each unit as large as its shape and label."""
    def run(site: Site) -> dict[str, Point]:
        ids = [u.id for u in site.units]
        children, hidden = nesting(site, ids)
        names = {uid: f"n{i}" for i, uid in enumerate(ids)}
        lines = ["graph G {", "  graph [splines=false, overlap=false, sep=\"+4\"];",
                 "  node [shape=box, fixedsize=true, label=\"\"];"]

        def emit(uid: str, indent: str) -> None:
            unit = site.units_by_id[uid]
            members = children.get(uid, [])
            if members:
                lines.append(f"{indent}subgraph cluster_{names[uid]} {{")
                # The box itself is a point inside its cluster, so links to it have an end.
                lines.append(f"{indent}  {names[uid]} [width=0.01, height=0.01];")
                for member in members:
                    emit(member, indent + "  ")
                lines.append(f"{indent}}}")
            else:
                width, height = body_size(unit, hidden.get(uid, 0))
                label = drawn_label(unit, hidden.get(uid, 0))
                lines.append(f"{indent}{names[uid]} [width={max(width, label.width) / 72:.3f}, "
                             f"height={(height + 4 + label.height) / 72:.3f}];")

        for root in children[None]:
            emit(root, "  ")
        lines += [f"  {names[lk.source]} -- {names[lk.target]};" for lk in site.links]
        lines.append("}")
        out = subprocess.run([engine, "-Tplain"], input="\n".join(lines), capture_output=True, text=True,
                             check=True, timeout=REFERENCE_TIMEOUT).stdout
        back = {name: uid for uid, name in names.items()}
        positions: dict[str, Point] = {}
        for row in out.splitlines():
            parts = row.split()
            if parts and parts[0] == "node" and parts[1] in back:
                # The rectangle's centre is the shape's centre plus half the label below it.
                uid = back[parts[1]]
                unit = site.units_by_id[uid]
                label = drawn_label(unit, hidden.get(uid, 0))
                shift = 0.0 if children.get(uid) else (4 + label.height) / 2
                positions[uid] = (float(parts[2]) * 72, -float(parts[3]) * 72 - shift)
        assert len(positions) == len(ids), f"{engine} placed {len(positions)} of {len(ids)} units"
        assert inside_out(children)
        return positions
    return run


def timed(layout: Layout, site: Site) -> tuple[dict[str, Point], float]:
    start = time.perf_counter()
    positions = layout(site)
    return positions, time.perf_counter() - start


def _ratio(ours: float, reference: float) -> str:
    if reference == 0:
        return "—" if ours == 0 else "∞"
    return f"{ours / reference:.2f}"


def compare(label: str, site: Site, layouts: dict[str, Layout | None]) -> None:
    print(f"\n{label}: {len(site.units):,} units, {len(site.links):,} links")
    print(f"  {'layout':<46}{'shapes':>8}{'boxes':>8}{'labels':>8}{'crossings':>11}{'time':>10}{'label px':>10}")
    figures: dict[str, tuple[float, ...]] = {}
    for name, layout in layouts.items():
        if layout is None:
            print(f"  {name:<46}  (Graphviz is not installed: apt-get install graphviz)")
            continue
        try:
            positions, seconds = timed(layout, site)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"  {name:<46}  did not finish: {type(exc).__name__}")
            continue
        q = measure_layout(site, positions)
        # How large a label is when the whole map is fitted to the screen, every box open.
        label_px = FONT * min(1.0, MAP_AREA[0] / max(q.width, 1.0), MAP_AREA[1] / max(q.height, 1.0))
        figures[name] = (q.node_overlaps, q.box_overlaps, q.label_overlaps, q.crossings, seconds, label_px)
        print(f"  {name:<46}{q.node_overlaps:>8}{q.box_overlaps:>8}{q.label_overlaps:>8}{q.crossings:>11}"
              f"{seconds * 1000:>8.0f}ms{label_px:>10.1f}   ({q.width:,.0f} × {q.height:,.0f} px)")
    ours = figures.get(OURS)
    for name, ref in figures.items():
        if name == OURS or ours is None:
            continue
        cells = [_ratio(a, b) for a, b in zip(ours, ref, strict=True)]
        print(f"  {'ratio ours / ' + name:<46}" + "".join(f"{c:>{w}}" for c, w in zip(
            cells, (8, 8, 8, 11, 10, 10), strict=True)))


OURS = "compound (IntegraMap)"


def largest_icb() -> str:
    with LOOKUP.open(newline="", encoding="utf-8-sig") as handle:
        counts = collections.Counter(row["ICB_CODE"] for row in csv.DictReader(handle))
    return counts.most_common(1)[0][0]


def main() -> None:
    have_graphviz = shutil.which("fdp") is not None
    layouts: dict[str, Layout | None] = {
        OURS: compound_layout,
        "Graphviz fdp, clusters (reference)": graphviz("fdp") if have_graphviz else None,
        "Graphviz dot, clusters": graphviz("dot") if have_graphviz else None,
        "igraph FR (the old Arrange)": fruchterman_reingold,
    }
    compare("Riverside", read_site(ROOT / "models" / "riverside-borough.yaml"), layouts)
    try:
        from integramap.demo import build_demo, find_demo_files
        demo = build_demo("south-east-london", find_demo_files(SHARED))
    except Exception as exc:  # noqa: BLE001 - the benchmark reports what it could not build
        print(f"\nsouth-east London demo skipped: {str(exc).splitlines()[0]}", file=sys.stderr)
    else:
        compare("South-east London demo", demo, layouts)
    if not LOOKUP.exists():
        print(f"\nnational ICB skipped: {LOOKUP.name} is not in ../shared/data", file=sys.stderr)
        return
    from integramap.io.nhs import import_nhs
    icb = largest_icb()
    compare(f"Largest ICB in the national lookup ({icb})", import_nhs(practices=LOOKUP, icb=[icb]), layouts)
    national = import_nhs(practices=LOOKUP)
    _, seconds = timed(compound_layout, national)
    print(f"\nNational import: {len(national.units):,} units, compound layout {seconds:.2f} s "
          f"(the old FR layout: {timed(fruchterman_reingold, national)[1]:.2f} s)")


if __name__ == "__main__":
    main()
