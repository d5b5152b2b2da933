"""The map's level of detail and search, without a browser: what opens closed, how large labels
are, what a search brightens and what it says."""

from __future__ import annotations

from integramap import edit
from integramap.io.sitefile import read_site
from integramap.model import Site
from integramap.layout.sizes import LINE_HEIGHT, label_size
from integramap.layout.positions import saved_positions
from integramap.web.map.detail import (
    BASE_FONT,
    CANVAS,
    LEGIBLE_PX,
    fit_zoom,
    legible_font,
    plan_detail,
    wrap_width,
)
from integramap.web.map.elements import ViewOptions, build_view
from integramap.web.map.view import search_note

from conftest import MODELS


def borough() -> Site:
    return read_site(MODELS / "riverside-borough.yaml")


def spread_site(gap: float) -> Site:
    """Two trusts of four teams each, the teams ``gap`` map units apart, side by side."""
    site = edit.new_site("spread", "Spread")
    for o in range(2):
        site = edit.add_unit(site, {"id": f"org{o}", "name": f"Trust {o}", "kind": "organisation",
                                    "org_type": "nhs_trust"})
        for t in range(4):
            site = edit.add_unit(site, {"id": f"t{o}{t}", "name": f"Community team {o}{t}", "kind": "team",
                                        "parent": f"org{o}"})
    positions = {f"t{o}{t}": (o * 4 * gap + t * gap, 0.0) for o in range(2) for t in range(4)}
    return edit.set_positions(site, positions)


def nodes(view_elements: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {e["data"]["id"]: e for e in view_elements if "source" not in e["data"]}  # type: ignore[index,operator]


def labels_read_at(zoom: float, fonts: list[float]) -> bool:
    return all(font * zoom >= LEGIBLE_PX for font in fonts)


def test_a_site_that_reads_whole_at_the_fit_opens_whole_at_the_normal_size() -> None:
    site = spread_site(gap=70)
    view = build_view(site, saved_positions(site))
    assert view.closed == 0 and len(view.node_ids) == len(site.units)
    assert {n["data"]["font"] for n in nodes(view.elements).values()} == {BASE_FONT}


def test_a_site_too_wide_to_read_opens_with_its_boxes_closed_and_counted() -> None:
    site = spread_site(gap=60)
    site = edit.set_positions(site, {"t13": (40_000.0, 0.0)})  # one team far away: the fit shrinks
    view = build_view(site, saved_positions(site))
    drawn = nodes(view.elements)
    assert view.closed >= 1
    for uid, element in drawn.items():
        data = element["data"]
        if data.get("count"):  # type: ignore[union-attr]
            assert "units" in str(data["label"])  # type: ignore[index]
    # Every unit is drawn or counted in a closed box; labels are sized to read at the opening zoom.
    counted = sum(int(e["data"].get("count", 0)) for e in drawn.values())  # type: ignore[union-attr]
    assert len(drawn) + counted == len(site.units)


def test_riverside_opens_legible_and_a_click_opens_one_box_with_readable_members() -> None:
    site = borough()
    positions = saved_positions(site)
    names = {u.id: u.name for u in site.units}
    detail = plan_detail(site, set(site.units_by_id), positions, names)
    assert detail.shown is not None and detail.closed
    assert labels_read_at(detail.zoom, list(detail.font.values()))
    box = sorted(detail.closed)[0]
    opened = plan_detail(site, set(site.units_by_id), positions, names, opened=[box])
    assert opened.shown is not None and set(site.children_by_id[box]) <= opened.shown
    # Members of an opened box read once the page has zoomed to that box.
    members = [opened.font[k] for k in site.children_by_id[box]]
    extent = [positions[k] for k in site.descendants(box) if k in positions]
    xs, ys = [p[0] for p in extent], [p[1] for p in extent]
    # The page fits the opened box, zooming in no further than 1.5 (assets/map.js).
    zoom = min(fit_zoom((min(xs) - 60, min(ys) - 60, max(xs) + 60, max(ys) + 60), CANVAS), 1.5)
    assert all(font * zoom >= 10 for font in members), (members, zoom)


def test_the_level_of_detail_is_planned_for_the_canvas_it_is_shown_on() -> None:
    site = borough()
    positions = saved_positions(site)
    names = {u.id: u.name for u in site.units}
    small = plan_detail(site, set(site.units_by_id), positions, names, canvas=(500, 400))
    large = plan_detail(site, set(site.units_by_id), positions, names, canvas=(2400, 1600))
    assert large.shown is None or (small.shown is not None and len(large.shown) >= len(small.shown))
    assert max(small.font.values()) > (max(large.font.values()) if large.font else BASE_FONT)


def test_label_sizes_and_wrapping() -> None:
    assert legible_font(2.0) == BASE_FONT
    assert legible_font(0.25) * 0.25 >= LEGIBLE_PX
    assert wrap_width(26) == 2 * wrap_width(13)
    normal = label_size("Adult Social Care - Central Locality", font=13)
    assert normal.height == 2 * LINE_HEIGHT
    # A larger label wraps at a proportionally wider width: the same lines, each larger.
    large = label_size("Adult Social Care - Central Locality", font=26)
    assert (large.width, large.height) == (2 * normal.width, 2 * normal.height)


def test_search_opens_the_boxes_holding_matches_and_fades_only_what_does_not_match() -> None:
    site = borough()
    positions = saved_positions(site)
    plain = build_view(site, positions)
    view = build_view(site, positions, ViewOptions(search="Riverbend"))
    drawn = nodes(view.elements)
    assert sorted(view.matches) == sorted(u.id for u in site.units if "Riverbend" in u.name)
    assert len(view.matches) == 2
    for uid in view.matches:
        assert "match" in str(drawn[uid]["classes"]).split()
        for up in [a for a in site.ancestors(uid) if a not in view.matches]:  # open, not faded
            assert "faded" not in str(drawn[up]["classes"]) and "match-box" in str(drawn[up]["classes"])
            assert not drawn[up]["data"].get("count")  # type: ignore[union-attr]
    others = [uid for uid, e in drawn.items() if uid not in view.matches
              and not any(uid in site.ancestors(m) for m in view.matches)]
    assert others and all("faded" in str(drawn[uid]["classes"]) for uid in others)
    assert sorted(view.fit_to) == sorted(view.matches)
    assert len(view.node_ids) > len(plain.node_ids)


def test_search_finds_codes_and_says_when_nothing_matches() -> None:
    site = edit.add_unit(borough(), {"id": "coded", "name": "Coded team", "kind": "team",
                                     "attributes": {"code": "Y01234"}})
    view = build_view(site, saved_positions(site), ViewOptions(search="y0123"))
    assert view.matches == ["coded"]
    assert search_note("y0123", view) == "1 unit matches ‘y0123’: shown brightened."
    none = build_view(site, saved_positions(site), ViewOptions(search="xyzzy"))
    assert none.matches == [] and search_note("xyzzy", none) == "No unit matches ‘xyzzy’."
    assert search_note("  ", none) == ""


def test_a_link_carries_its_level_in_words_for_hovering() -> None:
    site = spread_site(gap=70)
    site = edit.add_link(site, {"id": "a", "source": "t00", "target": "t01", "level": "co_located"})
    view = build_view(site, saved_positions(site))
    link = next(e for e in view.elements if e["data"]["id"] == "a")
    assert link["data"]["level"] == "co-located" and "level-co_located" in link["classes"]
