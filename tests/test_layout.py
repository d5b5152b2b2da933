"""The compound layout: no unit drawn over another, no box over an unrelated box, members inside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integramap.io import read_site
from integramap.web.map import detail
from integramap.layout import compound_layout, measure_layout
from integramap.layout import sizes
from integramap.layout.compound import Point
from integramap.model import Site
from integramap.layout.positions import arrange_site, complete_positions
from integramap.web.map.elements import ViewOptions, build_view
from integramap.web.map.styles import stylesheet

MODELS = sorted((Path(__file__).resolve().parents[1] / "models").glob("*.yaml"))


def assert_legible(site: Site, positions: dict[str, Point], among: list[str] | None = None) -> None:
    quality = measure_layout(site, positions, among)
    assert quality.node_overlaps == 0, "unit shapes drawn over one another"
    assert quality.box_overlaps == 0, "a box drawn over an unrelated box or unit"
    assert quality.label_overlaps == 0, "labels running into one another"
    for uid, (left, top, right, bottom) in quality.boxes.items():
        # A box collapsed to one node is drawn at its own position: at the box's centre, with
        # room for its collapsed shape, so collapsed boxes stay apart as the boxes are.
        x, y = positions[uid]
        inside = [d for d in site.descendants(uid) if among is None or d in among]
        half = sizes.body_size(site.units_by_id[uid], hidden=len(inside))[0] / 2
        assert left + half <= x <= right - half and top + half <= y <= bottom - half, uid
        assert abs(x - (left + right) / 2) < 1 and abs(y - (top + bottom) / 2) < 1, uid


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_example_sites_are_laid_out_with_boxes_apart_and_nothing_overlapping(path: Path) -> None:
    site = read_site(path)
    positions = arrange_site(site)
    assert set(positions) == {u.id for u in site.units}
    assert_legible(site, positions)


def test_the_layout_is_the_same_each_time_and_centred() -> None:
    site = read_site(MODELS[0])
    first, again = compound_layout(site), compound_layout(site)
    assert first == again
    xs, ys = [p[0] for p in first.values()], [p[1] for p in first.values()]
    assert abs(min(xs) + max(xs)) < 300 and abs(min(ys) + max(ys)) < 300


def test_linked_units_in_two_organisations_face_each_other() -> None:
    units: list[dict[str, Any]] = []
    for org in ("a", "b"):
        units.append({"id": org, "name": f"Organisation {org}", "kind": "organisation"})
        units += [{"id": f"{org}{i}", "name": f"Team {org}{i}", "kind": "team", "parent": org}
                  for i in range(9)]
    site = Site.model_validate({"id": "s", "name": "S", "units": units, "links": [
        {"id": "l", "source": "a8", "target": "b8", "level": "co_located"}]})
    pos = compound_layout(site)
    # The linked pair is nearer each other than the boxes' centres are: each leans its way.
    gap = abs(pos["a8"][0] - pos["b8"][0]) + abs(pos["a8"][1] - pos["b8"][1])
    centres = abs(pos["a"][0] - pos["b"][0]) + abs(pos["a"][1] - pos["b"][1])
    assert gap < centres
    assert_legible(site, pos)


def test_a_never_arranged_site_opens_with_the_compound_layout() -> None:
    site = read_site(MODELS[0])
    assert complete_positions(site, {}) == arrange_site(site)


def test_a_subset_lays_out_units_whose_members_are_left_out_as_collapsed_groups() -> None:
    site = read_site(next(p for p in MODELS if "riverside" in p.stem))
    outer = [u.id for u in site.units if u.parent is None]
    positions = compound_layout(site, outer)
    assert set(positions) == set(outer)
    assert_legible(site, positions, outer)


def test_the_sizes_the_layout_allows_are_those_the_stylesheet_and_the_level_of_detail_draw() -> None:
    rules = stylesheet()
    node = next(r["style"] for r in rules if r["selector"] == "node")
    parent = next(r["style"] for r in rules if r["selector"] == ":parent" and "padding" in r["style"])
    collapsed = [r["style"] for r in rules if r["selector"] == "node.collapsed"]
    organisation = next(r["style"] for r in rules
                        if r["selector"] == "node.kind-organisation" and "width" in r["style"])
    assert (node["width"], node["height"]) == (sizes.BODY, sizes.BODY)
    assert node["text-margin-y"] == sizes.LABEL_MARGIN and parent["padding"] == sizes.BOX_PADDING
    assert (organisation["width"], organisation["height"]) == sizes.ORGANISATION_BODY
    # Label size, wrap and a closed box's side travel with each unit, computed from the same module.
    assert node["font-size"] == "data(font)" and node["text-max-width"] == "data(wrap)"
    assert all((c["width"], c["height"]) == ("data(side)", "data(side)") for c in collapsed)
    assert detail.BASE_FONT == sizes.FONT_SIZE and detail.closed_side is sizes.closed_side
    assert detail.wrap_width is sizes.wrap_width
    site = read_site(next(p for p in MODELS if "riverside" in p.stem))
    positions = arrange_site(site)
    for options in (ViewOptions(), ViewOptions(opened=frozenset(u.id for u in site.units))):
        view = build_view(site, positions, options)
        drawn = [e["data"] for e in view.elements if "source" not in e["data"]]
        for data in drawn:
            assert data["wrap"] == round(sizes.wrap_width(data["font"]))
            if data.get("count"):
                assert data["side"] == sizes.closed_side(data["count"])
                assert data["label"] == sizes.closed_label(site.unit(data["id"]).name, data["count"])
    # Every box open: each unit in a box drawn where the layout put it, at the size it reserved room
    # for (an outermost unit alone may be drawn larger, set apart, to read at the zoomed-out view).
    leaves = [e for e in view.elements if "source" not in e["data"] and e["data"]["parent"]
              and not site.children_by_id.get(e["data"]["id"])]
    assert {e["data"]["font"] for e in leaves} == {sizes.FONT_SIZE}
    assert leaves and all((e["position"]["x"], e["position"]["y"]) == tuple(round(v) for v in positions[e["data"]["id"]])
                          for e in leaves)


KINDS = ["organisation", "directorate", "team", "pcn", "practice", "place", "hub"]
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=22)


@st.composite
def sites(draw: st.DrawFn) -> Site:
    count = draw(st.integers(min_value=1, max_value=45))
    units: list[dict[str, Any]] = []
    ancestors: list[set[int]] = []
    for i in range(count):
        # A parent among the earlier units (or none): any forest of boxes, any depth.
        parent = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))) if i else None
        name = " ".join(draw(st.lists(words, min_size=1, max_size=5)))
        units.append({"id": f"u{i}", "name": name, "kind": draw(st.sampled_from(KINDS)),
                      **({"parent": f"u{parent}"} if parent is not None else {})})
        ancestors.append(set() if parent is None else {parent, *ancestors[parent]})
    pairs = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=60))
    links = [{"id": f"l{n}", "source": f"u{a}", "target": f"u{b}", "level": "interface"}
             for n, (a, b) in enumerate(sorted({(min(p), max(p)) for p in pairs if p[0] != p[1]}))
             if a not in ancestors[b] and b not in ancestors[a]]  # a link never joins a unit to its box
    return Site.model_validate({"id": "gen", "name": "Generated", "units": units, "links": links})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=sites(), data=st.data())
def test_generated_sites_have_boxes_apart_members_inside_and_no_overlaps(site: Site, data: st.DataObject) -> None:
    positions = compound_layout(site)
    assert set(positions) == {u.id for u in site.units}
    assert_legible(site, positions)
    among = data.draw(st.lists(st.sampled_from([u.id for u in site.units]), unique=True, min_size=1))
    part = compound_layout(site, among)
    assert set(part) == set(among)
    assert_legible(site, part, among)
