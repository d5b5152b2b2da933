"""The map's elements, layout, forms and uploads, without a browser."""

from __future__ import annotations

import base64

import pytest

from integramap import edit
from integramap.model import Level, Site, SiteError
from integramap.layout.positions import arrange, arrange_site, complete_positions, saved_positions
from integramap.web.map.detail import BASE_FONT
from integramap.web.map.elements import (
    ELEMENT_BUDGET,
    ViewOptions,
    breadcrumb,
    build_view,
    focus_neighbourhood,
)
from integramap.web.map.forms import GENERAL, LINK_FIELDS, UNIT_FIELDS, errors_by_field, link_values, unit_values
from integramap.web.common.upload import MAX_UPLOAD_BYTES, upload_to_site

from conftest import MODELS


def small_site() -> Site:
    site = edit.new_site("s", "Small")
    site = edit.add_unit(site, {"id": "trust", "name": "Trust", "kind": "organisation", "org_type": "nhs_trust",
                                "sectors": ["mental_health"]})
    site = edit.add_unit(site, {"id": "council", "name": "Council", "kind": "organisation",
                                "org_type": "local_authority", "sectors": ["social_care"]})
    site = edit.add_unit(site, {"id": "t1", "name": "Crisis team", "kind": "team", "parent": "trust",
                                "sectors": ["mental_health"]})
    site = edit.add_unit(site, {"id": "t2", "name": "Adult social work", "kind": "team", "parent": "council",
                                "sectors": ["social_care"]})
    site = edit.add_unit(site, {"id": "hub", "name": "Single point of access", "kind": "hub"})
    site = edit.add_link(site, {"id": "l1", "source": "t1", "target": "t2", "level": "co_located",
                                "target_level": "pooled_management"})
    site = edit.add_link(site, {"id": "l2", "source": "hub", "target": "t1", "level": "interface"})
    return site


def national_like(n_systems: int = 6, places: int = 4, pcns: int = 8, practices: int = 40) -> Site:
    units: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    for s in range(n_systems):
        units.append({"id": f"icb{s}", "name": f"ICB {s}", "kind": "system"})
        for p in range(places):
            units.append({"id": f"pl{s}-{p}", "name": f"Place {s}.{p}", "kind": "place", "parent": f"icb{s}"})
            for c in range(pcns):
                pcn = f"pcn{s}-{p}-{c}"
                units.append({"id": pcn, "name": f"PCN {s}.{p}.{c}", "kind": "pcn", "parent": f"pl{s}-{p}"})
                for g in range(practices // pcns):
                    gp = f"gp{s}-{p}-{c}-{g}"
                    units.append({"id": gp, "name": f"Practice {gp}", "kind": "practice", "parent": pcn,
                                  "sectors": ["primary_care"]})
                    if g:
                        links.append({"id": f"lk-{gp}", "source": gp, "target": f"gp{s}-{p}-{c}-0",
                                      "level": "closer_working"})
    return Site.model_validate({"id": "nat", "name": "National", "units": units, "links": links})


def test_full_view_nests_units_and_draws_target_levels_apart() -> None:
    view = build_view(small_site(), {})
    nodes = {e["data"]["id"]: e for e in view.elements if "source" not in e["data"]}
    edges = {e["data"]["id"]: e for e in view.elements if "source" in e["data"]}
    assert not view.aggregated
    assert nodes["t1"]["data"]["parent"] == "trust" and nodes["hub"]["data"]["parent"] is None
    assert "kind-team" in nodes["t1"]["classes"] and "sector-mental_health" in nodes["t1"]["classes"]
    assert "level-co_located" in edges["l1"]["classes"]
    assert edges["l1:target"]["classes"] == "target"
    assert edges["l1:target"]["data"]["label"] == "→ pooled management"
    assert "l2:target" not in edges


def test_a_target_level_is_written_at_the_size_of_the_names_it_joins() -> None:
    site = edit.new_site("s", "Two teams")
    site = edit.add_unit(site, {"id": "a", "name": "Crisis team", "kind": "team"})
    site = edit.add_unit(site, {"id": "b", "name": "Adult social work", "kind": "team"})
    site = edit.add_link(site, {"id": "l1", "source": "a", "target": "b", "level": "co_located",
                                "target_level": "pooled_management"})
    # Far apart, the map opens zoomed out: the names are drawn larger so they read, and the level
    # along the link is written at their size.
    far = {e["data"]["id"]: e["data"] for e in build_view(site, {"a": (0.0, 0.0), "b": (2000.0, 0.0)}).elements}
    assert far["a"]["font"] > BASE_FONT
    assert far["l1:target"]["font"] == min(far["a"]["font"], far["b"]["font"])
    near = {e["data"]["id"]: e["data"] for e in build_view(site, {"a": (0.0, 0.0), "b": (200.0, 0.0)}).elements}
    assert near["l1:target"]["font"] == BASE_FONT < far["l1:target"]["font"]


def test_compound_off_drops_parents_and_targets_can_be_hidden() -> None:
    view = build_view(small_site(), {}, ViewOptions(compound=False, show_targets=False))
    assert all(e["data"].get("parent") is None for e in view.elements)
    assert not any(e["data"]["id"].endswith(":target") for e in view.elements)


def test_filters_by_kind_sector_organisation_and_level() -> None:
    site = small_site()
    assert set(build_view(site, {}, ViewOptions(kinds=frozenset({"team"}))).node_ids) == {"t1", "t2"}
    assert set(build_view(site, {}, ViewOptions(sectors=frozenset({"social_care"}))).node_ids) == {"council", "t2"}
    assert set(build_view(site, {}, ViewOptions(organisations=frozenset({"trust"}))).node_ids) == {"trust", "t1"}
    view = build_view(site, {}, ViewOptions(level_min=Level.CO_LOCATED.rank))
    assert [e["data"]["id"] for e in view.elements if "source" in e["data"]] == ["l1", "l1:target"]


def test_search_highlights_matches_and_fades_the_rest() -> None:
    view = build_view(small_site(), {}, ViewOptions(search="CRISIS"))
    classes = {e["data"]["id"]: e.get("classes", "") for e in view.elements}
    assert view.matches == ["t1"]
    assert "match" in classes["t1"] and "faded" in classes["t2"]


def test_focus_keeps_the_unit_its_neighbours_and_containers() -> None:
    site = small_site()
    assert focus_neighbourhood(site, "hub", 1, ViewOptions()) == {"hub", "t1", }
    assert set(build_view(site, {}, ViewOptions(focus="hub", focus_depth=2)).node_ids) == {"hub", "t1", "t2"}
    assert set(build_view(site, {}, ViewOptions(focus="trust")).node_ids) == {"trust", "t1"}


def test_positions_are_passed_to_the_browser() -> None:
    view = build_view(small_site(), {"t1": (10.0, -20.0)})
    node = next(e for e in view.elements if e["data"]["id"] == "t1")
    assert node["position"] == {"x": 10.0, "y": -20.0}


def test_markup_in_names_stays_plain_text_in_labels() -> None:
    site = edit.add_unit(small_site(), {"id": "x", "name": "<img src=x onerror=alert(1)>", "kind": "team"})
    node = next(e for e in build_view(site, {}).elements if e["data"]["id"] == "x")
    assert node["data"]["label"] == "<img src=x onerror=alert(1)>"


def test_large_site_is_aggregated_within_the_budget_and_drills_down() -> None:
    site = national_like(n_systems=10, places=5, pcns=10, practices=40)
    assert len(site.units) + len(site.links) > ELEMENT_BUDGET
    top = build_view(site, {})
    assert top.aggregated and len(top.elements) <= ELEMENT_BUDGET
    assert set(top.node_ids) >= {f"icb{s}" for s in range(10)}
    collapsed = [e for e in top.elements if "collapsed" in e.get("classes", "")]
    assert collapsed and sum(e["data"]["count"] for e in collapsed) + top.units_shown == len(site.units)
    down = build_view(site, {}, ViewOptions(drill="pl3-2"))
    assert "gp3-2-4-1" in down.node_ids and "icb0" not in down.node_ids
    assert len(down.elements) <= ELEMENT_BUDGET
    assert [name for _, name in down.breadcrumb] == ["National", "ICB 3", "Place 3.2"]
    assert breadcrumb(site, None) == [(None, "National")]


def test_aggregated_links_are_merged_per_pair_of_groups() -> None:
    site = national_like(n_systems=2, places=2, pcns=2, practices=4)
    site = edit.add_link(site, {"id": "x1", "source": "gp0-0-0-0", "target": "gp1-0-0-0", "level": "interface"})
    site = edit.add_link(site, {"id": "x2", "source": "gp0-0-0-1", "target": "gp1-1-0-0",
                                "level": "merged_governance"})
    view = build_view(site, {}, ViewOptions(drill=None), budget=10)
    edges = [e for e in view.elements if "source" in e["data"]]
    assert len(view.elements) <= 10
    assert edges and edges[0]["data"]["count"] == 2 and edges[0]["data"]["level"] == "merged governance"


def test_arrange_gives_every_unit_a_distinct_finite_position() -> None:
    site = small_site()
    pos = arrange_site(site)
    assert set(pos) == set(site.units_by_id)
    assert len({(round(x), round(y)) for x, y in pos.values()}) == len(pos)
    assert arrange([], []) == {} and arrange(["a"], []) == {"a": (0.0, 0.0)}


def test_complete_positions_keeps_known_places_and_puts_a_new_unit_near_its_parent() -> None:
    site = edit.set_positions(small_site(), arrange_site(small_site()))
    known = saved_positions(site)
    site = edit.add_unit(site, {"id": "t3", "name": "New team", "kind": "team", "parent": "trust"})
    added = complete_positions(site, known)
    assert list(added) == ["t3"]
    (x, y), (px, py) = added["t3"], known["trust"]
    assert ((x - px) ** 2 + (y - py) ** 2) ** 0.5 < 200


def test_forms_round_trip_unit_and_link_values() -> None:
    site = small_site()
    values = unit_values(site.unit("t1"))
    assert values["parent"] == "trust" and values["sectors"] == ["mental_health"]
    changed = edit.update_unit(site, "t1", {**values, "name": "Home treatment team"})
    assert changed.unit("t1").name == "Home treatment team" and changed.unit("t1").parent == "trust"
    link = link_values(site.link("l1"))
    assert link["target_level"] == "pooled_management"
    assert [f.name for f in UNIT_FIELDS][:2] == ["name", "kind"] and LINK_FIELDS[0].name == "source"


def test_edit_errors_land_beside_their_fields() -> None:
    with pytest.raises(SiteError) as caught:
        edit.add_unit(small_site(), {"name": "", "kind": "team"})
    found = errors_by_field(caught.value, UNIT_FIELDS)
    assert found["name"] and GENERAL not in found
    with pytest.raises(SiteError) as caught:
        edit.add_link(small_site(), {"source": "t1", "target": "nowhere", "level": "interface"})
    assert "target" in errors_by_field(caught.value, LINK_FIELDS)


def _data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


def test_upload_reads_yaml_and_json_and_refuses_bad_files() -> None:
    text = (MODELS / "riverside-borough.yaml").read_bytes()
    assert upload_to_site(_data_url(text), "riverside.yaml").id == "riverside-borough"
    assert upload_to_site(_data_url(b'{"id": "j", "name": "J"}'), "j.json").name == "J"
    for raw, name, expected in [
        (b"id: [unclosed", "bad.yaml", "invalid YAML"),
        (b"{not json", "bad.json", "invalid JSON"),
        (b"id: s\nname: S\nunits: [{id: a, name: A, kind: castle}]", "bad.yaml", "castle"),
        (b"\x00\x01binary", "bin.yaml", "binary"),
        (b"x", "notes.txt", "unsupported file type"),
    ]:
        with pytest.raises(SiteError) as caught:
            upload_to_site(_data_url(raw), name)
        assert expected in caught.value.render() and name in caught.value.render()
    with pytest.raises(SiteError, match="damaged"):
        upload_to_site("data:x;base64,@@@", "s.yaml")
    with pytest.raises(SiteError, match="empty"):
        upload_to_site(None, "s.yaml")


def test_upload_over_the_size_cap_is_refused_before_decoding() -> None:
    huge = "data:x;base64," + "A" * (MAX_UPLOAD_BYTES * 4 // 3 + 8)
    with pytest.raises(SiteError, match="over 20 MB"):
        upload_to_site(huge, "big.yaml")

