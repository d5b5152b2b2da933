"""Server-side cost of the map: building the view and one edit, at 300 and ~8,000 units.

Targets (issue 10): a 300-unit site's first legible view paints in at most 0.8 s, and an
edit's server time is at most 50 ms at national size (issue 5's were 1.5 s and 150 ms). The browser's side of the paint is
measured by ``bench/web_paint.py`` (headless Chromium, phase by phase); this
script times what the server does for each redraw and each edit, on synthetic
sites, and on the real national import when ../shared/data is present.

Run: ``.venv/bin/python bench/web.py``
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from integramap import edit
from integramap.drafts import Change, Draft, WorkingCopies
from integramap.store import Store
from integramap.model import Level, Site
from integramap.layout.positions import arrange_site, complete_positions, saved_positions
from integramap.web.map.edit import unit_choices, unit_names_fingerprint
from integramap.web.map.elements import ELEMENT_BUDGET, ViewOptions, build_view
from integramap.layout.groups import grouped

PAINT_TARGET = 0.8
"""Issue 10: the first legible view, warm, in seconds."""
EDIT_TARGET = 0.050
"""Issue 10: an edit's server time at national size, with the working copy kept in the store."""
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def local_site(teams: int, seed: int = 1) -> Site:
    """A borough-like site: organisations, directorates, teams, and about three links per team."""
    rng = random.Random(seed)
    orgs = max(teams // 30, 2)
    units: list[dict[str, object]] = []
    for o in range(orgs):
        units.append({"id": f"org{o}", "name": f"Organisation {o}", "kind": "organisation",
                      "org_type": "nhs_trust", "sectors": ["mental_health"]})
        for d in range(3):
            units.append({"id": f"dir{o}-{d}", "name": f"Directorate {o}.{d}", "kind": "directorate",
                          "parent": f"org{o}"})
    team_ids = [f"team{t}" for t in range(teams - len(units))]
    for t, tid in enumerate(team_ids):
        units.append({"id": tid, "name": f"Team {t}", "kind": "team", "parent": f"dir{t % orgs}-{t % 3}",
                      "sectors": [rng.choice(["mental_health", "social_care", "community_health"])]})
    levels = list(Level)
    links = [{"id": f"l{i}", "source": a, "target": b, "level": str(rng.choice(levels))}
             for i, (a, b) in enumerate((rng.choice(team_ids), rng.choice(team_ids)) for _ in range(len(team_ids) * 3))
             if a != b]
    return Site.model_validate({"id": "bench", "name": "Bench", "units": units, "links": links})


def national_site(practices: int = 6500, seed: int = 2) -> Site:
    """ICBs → sub-ICB locations → PCNs → practices, about the size of England's."""
    rng = random.Random(seed)
    units: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    pcns: list[str] = []
    for i in range(42):
        units.append({"id": f"icb{i}", "name": f"ICB {i}", "kind": "system"})
        for s in range(3):
            units.append({"id": f"sub{i}-{s}", "name": f"Sub-ICB {i}.{s}", "kind": "place", "parent": f"icb{i}"})
            for p in range(10):
                pcn = f"pcn{i}-{s}-{p}"
                pcns.append(pcn)
                units.append({"id": pcn, "name": f"PCN {i}.{s}.{p}", "kind": "pcn", "parent": f"sub{i}-{s}"})
    for g in range(practices):
        pcn = rng.choice(pcns)
        units.append({"id": f"gp{g}", "name": f"Practice {g}", "kind": "practice", "parent": pcn,
                      "sectors": ["primary_care"]})
        if g and rng.random() < 0.3:  # practices working with a neighbour, often across PCNs
            links.append({"id": f"lk{g}", "source": f"gp{g}", "target": f"gp{g - 1}", "level": "closer_working"})
    return Site.model_validate({"id": "national", "name": "National", "units": units, "links": links})


def timed(fn: Callable[[], object], repeat: int = 5, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def redraw(site: Site, cache: dict[str, tuple[float, float]]) -> tuple[int, int]:
    """What the map's draw callback does: build the view, place what has no position, serialise."""
    known = {**cache, **saved_positions(site)}
    site = grouped(site)  # as view.py draws it: practices in no PCN in one group per location
    view = build_view(site, known, ViewOptions())
    missing = [n for n in view.node_ids if n not in known]
    if missing:
        cache.update(complete_positions(site, known, among=view.node_ids))
    return len(json.dumps(view.elements)), len(view.elements)


def measure(label: str, site: Site) -> None:
    cache: dict[str, tuple[float, float]] = {}
    first = timed(lambda: redraw(site, cache), repeat=1)
    size, count = redraw(site, cache)
    again = timed(lambda: redraw(site, cache))
    draft = Draft(site, base=1)
    counter = iter(range(10_000))
    parent = next(u.id for u in site.units if site.children_by_id.get(u.id))

    def one_edit() -> None:
        n = next(counter)
        draft.apply(lambda s: edit.add_unit(s, {"name": f"New team {n}", "kind": "team", "parent": parent}),
                    "add")
        redraw(draft.site, cache)

    edit_time = timed(one_edit)
    memory_edit, stored_edit, restart = working_copy_costs(site, parent)
    edit_cpu, full_cpu = edit_check_costs(site, parent)
    # After an added or renamed unit the page also sends its forms' unit pickers their new options.
    pickers = timed(lambda: (unit_names_fingerprint(draft.site), unit_choices(draft.site)))
    arrange_time = timed(lambda: arrange_site(site), repeat=1)
    print(f"{label}: {len(site.units):,} units, {len(site.links):,} links")
    print(f"  elements sent          {count:,} ({size / 1e6:.2f} MB JSON; budget {ELEMENT_BUDGET:,})")
    print(f"  first draw (server)    {first * 1000:8.1f} ms  (incl. layout of unplaced units)")
    print(f"  redraw (server)        {again * 1000:8.1f} ms  ratio to {PAINT_TARGET} s paint target "
          f"{again / PAINT_TARGET:.2f}")
    print(f"  edit + redraw          {edit_time * 1000:8.1f} ms  ratio to {EDIT_TARGET * 1000:.0f} ms target "
          f"{edit_time / EDIT_TARGET:.2f}")
    print(f"  Arrange (compound)     {arrange_time * 1000:8.1f} ms")
    print(f"  edit, in memory only   {memory_edit * 1000:8.1f} ms")
    print(f"  edit, kept in store    {stored_edit * 1000:8.1f} ms  ratio to in memory {stored_edit / memory_edit:.2f};"
          f" store's share {(stored_edit - memory_edit) * 1000:.1f} ms, ratio to {EDIT_TARGET * 1000:.0f} ms target"
          f" {stored_edit / EDIT_TARGET:.2f}")
    print(f"  reopen after restart   {restart * 1000:8.1f} ms  (site read from the store, 10 edits replayed)")
    print(f"  pickers after an add   {pickers * 1000:8.1f} ms  (every unit as a choice in the forms' lists)")
    print(f"  edit, processor time   {edit_cpu * 1000:8.1f} ms  checking what it touches; "
          f"{full_cpu * 1000:.1f} ms re-checking the whole site (as before), ratio {edit_cpu / full_cpu:.2f}")


def working_copy_costs(site: Site, parent: str) -> tuple[float, float, float]:
    """One edit on an in-memory draft, the same edit on a working copy kept in SQLite, and reopening
    that copy in a new process (a restart) after ten edits."""
    counter = iter(range(10_000))

    def change() -> Change:
        return Change("add_unit", {"fields": {"name": f"New team {next(counter)}", "kind": "team",
                                              "parent": parent}})

    memory = Draft(site, base=1)
    memory_time = timed(lambda: memory.apply(change(), "add"), repeat=10)
    with tempfile.TemporaryDirectory() as folder, Store(data_dir=Path(folder)) as store:
        store.save(site, author="Bench", message="bench", base=None)
        draft = WorkingCopies(store).open("bench", site.id).draft
        stored_time = timed(lambda: draft.apply(change(), "add"), repeat=10)
        restart = timed(lambda: WorkingCopies(store).open("bench", site.id), repeat=3)
    return memory_time, stored_time, restart


def edit_check_costs(site: Site, parent: str) -> tuple[float, float]:
    """Processor time (not disturbed by other work on the machine) of one edit as the editor makes it,
    checking only what the edit touches, and of the same new site validated in full, as every edit
    was before: the baseline."""
    counter = iter(range(10_000))
    incremental = timed(lambda: edit.add_unit(site, {"name": f"Extra team {next(counter)}", "kind": "team",
                                                     "parent": parent}), repeat=10, clock=time.process_time)
    grown = edit.add_unit(site, {"name": "Extra team", "kind": "team", "parent": parent})
    data = {name: getattr(grown, name) for name in Site.model_fields}
    full = timed(lambda: Site.model_validate(data), repeat=10, clock=time.process_time)
    return incremental, full


def main() -> None:
    measure("local site (300 units)", local_site(300))
    measure("national-size synthetic site", national_site())
    try:
        from integramap.io.nhs import import_nhs
    except ImportError:
        return
    lookup = SHARED / "nhs-reference" / "practice_pcn_lookup_2024.csv"
    if lookup.exists():
        try:
            site = import_nhs(practices=lookup)
        except Exception as exc:  # noqa: BLE001 - the benchmark reports and carries on
            print(f"national import skipped: {exc}", file=sys.stderr)
            return
        measure("national import (practice_pcn_lookup_2024.csv)", site)


if __name__ == "__main__":
    main()
