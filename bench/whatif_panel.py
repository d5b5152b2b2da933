"""Server time of the Map page's "Try a change" panel on a 300-unit site, against the boundary analysis.

Run as ``.venv/bin/python bench/whatif_panel.py [--repeat N] [--check]``.

The site is a synthetic borough of 300 units with boundary layers: two local
authorities and six LCNs over 120 areas, 24 PCNs and their practices (each in
one area), places, a system and some teams, with links. Each run is on a fresh
copy of the site (nothing carried over), and times what the server does when a
manager moves one practice while trying a change:

- baseline: the Boundaries page's analysis of the site for the same layer
  pairs (:func:`integramap.analysis.boundaries.analyse`), once;
- first edit: record the move (checked by applying it to the working copy),
  then the panel: the what-if report (before and after, every figure) and its
  table and sentences — the "before" is worked out here;
- next edit: a second move on the same working copy, as when someone tries one
  change after another (the "before" is kept with the site);
- the map's redraw with the change (a request of its own, beside the panel's):
  the view built and what the change touches marked.

Prints each time, the ratio of each to the baseline, and as its last line
``ratio <next edit / baseline>``. Target (issue 14): the panel's server time
≤ 200 ms for a 300-unit site; ``--check`` exits 1 when the first edit misses it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from integramap.analysis.boundaries import analyse  # noqa: E402
from integramap.analysis.whatif import default_layers  # noqa: E402
from integramap.model import Site  # noqa: E402
from integramap.web.map import trying  # noqa: E402
from integramap.web.map.scenario import figures  # noqa: E402

TARGET_SECONDS = 0.200


def borough(units: int = 300, seed: int = 14) -> Site:
    """A borough with every boundary layer the panel compares, ``units`` units in all."""
    rng = random.Random(seed)
    areas = [{"id": f"a{i}", "population": rng.randint(1200, 2000)} for i in range(120)]
    data: list[dict[str, Any]] = [{"id": "icb", "name": "Borough ICB", "kind": "system"}]
    for la in range(2):
        data.append({"id": f"la{la}", "name": f"Council {la}", "kind": "organisation", "org_type": "local_authority",
                     "sectors": ["social_care"], "footprint": {f"a{i}": 1.0 for i in range(la * 60, la * 60 + 60)}})
    for place in range(2):
        data.append({"id": f"place{place}", "name": f"Place {place}", "kind": "place", "parent": "icb"})
    for lcn in range(6):
        data.append({"id": f"lcn{lcn}", "name": f"LCN {lcn}", "kind": "lcn", "parent": f"place{lcn // 3}",
                     "footprint": {f"a{i}": 1.0 for i in range(lcn * 20, lcn * 20 + 20)}})
    pcns = [f"pcn{p}" for p in range(24)]
    for p, pcn in enumerate(pcns):
        data.append({"id": pcn, "name": f"PCN {p}", "kind": "pcn", "parent": f"place{p // 12}"})
    trust = {"id": "trust", "name": "Community trust", "kind": "organisation", "org_type": "nhs_trust",
             "sectors": ["community_health"]}
    data.append(trust)
    teams = 30
    practices = units - len(data) - teams
    for g in range(practices):
        p = min(g * len(pcns) // practices, len(pcns) - 1)
        # Mostly in their PCN's own stretch of areas; a few over the line (straddles to find).
        area = (p * 5 + rng.randint(0, 4) + (rng.choice([-6, 6]) if rng.random() < 0.08 else 0)) % 120
        data.append({"id": f"gp{g}", "name": f"Practice {g}", "kind": "practice", "parent": pcns[p],
                     "sectors": ["primary_care"], "footprint": {f"a{area}": 1.0}})
    for t in range(teams):
        data.append({"id": f"team{t}", "name": f"Team {t}", "kind": "team", "parent": "trust",
                     "sectors": ["community_health"], "basis": "geographic",
                     "footprint": {f"a{i}": 1.0 for i in range(t * 4, t * 4 + 4)}})
    links = [{"id": f"l{t}", "source": f"team{t}", "target": pcns[(t * 24) // teams], "level": "closer_working"}
             for t in range(teams)]
    links += [{"id": f"m{n}", "source": f"lcn{n}", "target": pcns[n * 4], "level": "interface"} for n in range(6)]
    return Site.model_validate({"id": "borough", "name": "Borough", "areas": areas, "units": data,
                                "links": links})


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def panel_edit(site: Site, state: dict[str, Any] | None, unit: str, to: str) -> dict[str, Any]:
    """What the server does for one move while trying a change: record it, then the panel."""
    before = trying.tried(site, state)
    recorded = trying.record_unit(before.site if before else site, "update", unit,
                                  {**_form(site, unit), "parent": to})
    new_state, message = trying.adding(state, site, recorded)
    assert new_state is not None, message
    report = trying.report(site, new_state)
    assert report is not None
    figures(report)
    return new_state


def map_with_change(site: Site, state: dict[str, Any]) -> int:
    """What the map's redraw does while a change is tried: apply it (cached), place the moved
    units, build the view and mark what the change touches; the number of elements."""
    from integramap.layout.positions import complete_positions
    from integramap.web.map.elements import ViewOptions, build_view
    from integramap.web.map.view import marked, moved_beside

    positions = _positions.setdefault(id(site), complete_positions(site, {}))
    applied = trying.tried(site, state)
    assert applied is not None
    placed = moved_beside(site, applied.site, positions)
    view = build_view(placed, positions, ViewOptions())
    return len(marked(view.elements, applied, site))


_positions: dict[int, dict[str, tuple[float, float]]] = {}


def _form(site: Site, unit: str) -> dict[str, Any]:
    from integramap.web.map.forms import UNIT_FIELDS, unit_values

    values = unit_values(site.unit(unit))
    return {f.name: values[f.name] for f in UNIT_FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    template = borough()
    pairs = default_layers(template)

    def fresh() -> Site:
        return Site.model_validate(template.model_dump())

    print(f"site: {len(template.units)} units, {len(template.links)} links, {len(template.areas)} areas; "
          f"layer pairs {', '.join(a + '/' + b for a, b in pairs)}")
    sites = [fresh() for _ in range(args.repeat * 3)]

    def analysis() -> None:
        site = sites.pop()
        for a, b in pairs:
            analyse(site, a, b)

    baseline = best_of(args.repeat, analysis)
    first = best_of(args.repeat, lambda: panel_edit(sites.pop(), None, "gp0", "pcn5"))

    def two_edits() -> tuple[float, float]:
        site = sites.pop()
        start = time.perf_counter()
        state = panel_edit(site, None, "gp0", "pcn5")
        middle = time.perf_counter()
        panel_edit(site, state, "gp1", "pcn6")
        return middle - start, time.perf_counter() - middle

    nexts = [two_edits()[1] for _ in range(args.repeat)]
    state_two = trying.state_with(None, [{"move": {"unit": "gp0", "to": "pcn5"}},
                                         {"move": {"unit": "gp1", "to": "pcn6"}}])
    following = min(nexts)
    print(f"baseline (boundary analysis, {len(pairs)} pairs): {baseline * 1000:7.1f} ms")
    print(f"first edit (record + panel):        {first * 1000:7.1f} ms   ratio {first / baseline:.2f}")
    print(f"next edit (record + panel):         {following * 1000:7.1f} ms   ratio {following / baseline:.2f}")
    redraw = best_of(args.repeat, lambda: map_with_change(template, state_two))
    print(f"map redraw with the change marked:  {redraw * 1000:7.1f} ms   (a separate request, beside the panel)")
    print(f"target: {TARGET_SECONDS * 1000:.0f} ms for the first edit: "
          + ("met" if first <= TARGET_SECONDS else "MISSED"))
    print(f"ratio {following / baseline:.2f}")
    return 1 if args.check and first > TARGET_SECONDS else 0


if __name__ == "__main__":
    raise SystemExit(main())
