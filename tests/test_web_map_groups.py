"""Practices in no PCN are drawn in one group per sub-ICB location, so a national map opens legible."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, SHARED_DATA
from integramap.demo import DEMOS, REFERENCE_DATA_ENV, Demo, build_demo, find_demo_files
from integramap.io.nhs import import_nhs
from integramap.layout import measure_layout
from integramap.layout.sizes import map_name
from integramap.model import Site, UnitKind
from integramap.layout.positions import arrange_site, complete_positions
from integramap.web.map.detail import BASE_FONT
from integramap.web.map.elements import ViewOptions, build_view
from integramap.layout.groups import GROUP_NAME, GROUP_PREFIX, describe, grouped, homes


@pytest.fixture
def vale(monkeypatch: pytest.MonkeyPatch) -> Site:
    """The made-up ICB of tests/fixtures/demo: one of its practices, Z00007, is in no PCN."""
    monkeypatch.setitem(DEMOS, "vale", Demo(name="vale", title="Vale", icb="QZZ",
                                            lad_codes=("E09000901", "E09000902"), description="Tests."))
    monkeypatch.delenv(REFERENCE_DATA_ENV, raising=False)
    return build_demo("vale", find_demo_files(FIXTURES / "demo", demo="vale"))


def test_a_practice_in_no_pcn_is_drawn_in_its_locations_group_and_the_site_is_unchanged(vale: Site) -> None:
    assert vale.unit("Z00007").parent is None
    home = homes(vale)
    assert list(home) == ["Z00007"] and vale.unit(home["Z00007"]).kind is UnitKind.PLACE
    drawn = grouped(vale)
    group = drawn.unit(GROUP_PREFIX + home["Z00007"])
    assert (group.name, group.parent) == (GROUP_NAME, home["Z00007"])
    assert drawn.unit("Z00007").parent == group.id
    assert vale.unit("Z00007").parent is None and group.id not in vale.units_by_id
    assert describe(vale, group.id).startswith("1 practice commissioned by ")


def test_arrange_lays_the_group_out_like_a_box_and_saves_no_position_for_it(vale: Site) -> None:
    positions = arrange_site(vale)
    assert set(positions) == set(vale.units_by_id)
    drawn = grouped(vale)
    group = GROUP_PREFIX + homes(vale)["Z00007"]
    laid = {**positions, **complete_positions(drawn, positions)}
    quality = measure_layout(drawn, laid)
    assert (quality.node_overlaps, quality.box_overlaps, quality.label_overlaps) == (0, 0, 0)
    left, top, right, bottom = quality.boxes[group]
    x, y = positions["Z00007"]
    assert left < x < right and top < y < bottom


def test_the_view_counts_the_group_and_opens_it_on_request(vale: Site) -> None:
    drawn = grouped(vale)
    positions = arrange_site(vale)
    group = GROUP_PREFIX + homes(vale)["Z00007"]
    everything = build_view(drawn, positions, ViewOptions(opened=frozenset({group})))
    nodes = {e["data"]["id"]: e["data"] for e in everything.elements if "source" not in e["data"]}
    assert nodes["Z00007"]["parent"] == group
    assert not nodes[group].get("count")


@pytest.mark.skipif(not (SHARED_DATA / "nhs-reference" / "practice_pcn_lookup_2024.csv").exists(),
                    reason="public reference data not present (see docs/demo.md)")
def test_the_national_map_opens_with_its_icbs_only_every_name_readable() -> None:
    site = import_nhs(practices=SHARED_DATA / "nhs-reference" / "practice_pcn_lookup_2024.csv")
    loose = [u.id for u in site.units if u.kind is UnitKind.PRACTICE and u.parent is None]
    assert loose, "the national files have practices in no PCN"
    drawn = grouped(site)
    assert all(drawn.unit(p).parent and drawn.unit(p).parent.startswith(GROUP_PREFIX) for p in loose)  # type: ignore[union-attr]
    known: dict[str, tuple[float, float]] = {}
    options = ViewOptions(canvas=(840, 638))
    view = build_view(drawn, known, options)
    known.update(complete_positions(drawn, known, among=view.node_ids))
    view = build_view(drawn, known, options)
    nodes = [e["data"] for e in view.elements if "source" not in e["data"]]
    assert {drawn.unit(n["id"]).kind for n in nodes} == {UnitKind.SYSTEM}
    assert all(n["label"].startswith(map_name(drawn.unit(n["id"]).name)) for n in nodes)
    assert all(n["font"] > BASE_FONT for n in nodes)  # enlarged to read at the zoomed-out view
    assert len(nodes) == 42 and view.closed == 42
