"""Trying a change on the Map page without a browser: editor actions as scenario edits, and the map's marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from integramap.io import read_site
from integramap.model import Site, SiteError
from integramap.web.map import trying
from integramap.web.map.elements import ViewOptions, build_view
from integramap.web.map.forms import LINK_FIELDS, UNIT_FIELDS, link_values, unit_values
from integramap.web.map.scenario import figures, names_in, step_words, steps_list
from integramap.web.map.scenario_files import faults
from integramap.web.map.view import TRIED_ADDED, TRIED_CHANGED, TRIED_REMOVED, marked, moved_beside

from conftest import MODELS


@pytest.fixture(scope="module")
def riverside() -> Site:
    return read_site(Path(MODELS) / "riverside-borough.yaml")


def unit_form(site: Site, unit: str, **changes: object) -> dict[str, object]:
    values = unit_values(site.unit(unit))
    return {**{f.name: values[f.name] for f in UNIT_FIELDS}, **changes}


def link_form(site: Site, link: str, **changes: object) -> dict[str, object]:
    values = link_values(site.link(link))
    return {**{f.name: values[f.name] for f in LINK_FIELDS}, **changes}


def test_the_unit_form_records_a_move_and_refuses_other_details(riverside: Site) -> None:
    moved = trying.record_unit(riverside, "update", "p11", unit_form(riverside, "p11", parent="pcn-south"))
    assert moved.edit == {"move": {"unit": "p11", "to": "pcn-south"}}
    assert moved.message == "move Marlow Heath Medical Centre to Fenwick and Southgate PCN"
    renamed = trying.record_unit(riverside, "update", "p11", unit_form(riverside, "p11", name="Elsewhere"))
    assert renamed.edit is None and "Turn “Try a change” off" in renamed.message
    same = trying.record_unit(riverside, "update", "p11", unit_form(riverside, "p11"))
    assert same.edit is None and same.message.startswith("Nothing changed")
    assert trying.record_unit(riverside, "add", None, {}).edit is None
    with pytest.raises(SiteError):  # a PCN inside one of its own practices is refused by the editor's own checks
        trying.record_unit(riverside, "update", "pcn-south", unit_form(riverside, "pcn-south", parent="p13"))


def test_the_link_form_records_new_links_levels_and_removals(riverside: Site) -> None:
    link = riverside.links[0]
    higher = "fully_merged" if str(link.level) != "fully_merged" else "interface"
    changed = trying.record_link(riverside, "update", link.id, link_form(riverside, link.id, level=higher))
    assert changed.edit == {"set_level": {"link": link.id, "level": higher}}
    added = trying.record_link(riverside, "add", None, {"source": "p11", "target": "lcn-south",
                                                        "level": "closer_working",
                                                        "mechanisms": ["interface_meeting"]})
    assert added.edit is not None
    fields = added.edit["add_link"]
    assert (fields["source"], fields["target"], fields["level"], fields["mechanisms"]) == (
        "p11", "lcn-south", "closer_working", ["interface_meeting"])
    assert fields["id"] not in riverside.links_by_id
    assert trying.record_link(riverside, "delete", link.id, {}).edit == {"remove": {"link": link.id}}


def test_an_edit_that_does_not_fit_after_the_others_is_not_recorded(riverside: Site) -> None:
    state = trying.state_with(None, [{"remove": {"unit": "p11"}}])
    recorded = trying.Recorded({"move": {"unit": "p11", "to": "pcn-south"}}, "move")
    refused, message = trying.adding(state, riverside, recorded)
    assert refused is None and message.startswith("Not tried:") and "p11" in message
    kept, message = trying.adding(state, riverside, trying.merge_units(riverside, ["pcn-south", "pcn-riverbend"],
                                                                       "South and Riverbend"))
    assert kept is not None and len(kept["edits"]) == 2 and message.startswith("Tried: merge")
    applied = trying.tried(riverside, kept)
    assert applied is not None and "pcn-riverbend" in applied.removed_units
    assert applied.site.unit("pcn-south").name == "South and Riverbend"
    assert trying.tried(riverside, {**kept, "on": False}) is None


def test_the_panel_reads_the_report_and_names_the_edits(riverside: Site) -> None:
    state = trying.state_with(None, [{"move": {"units": ["p11", "p12"], "to": "pcn-south"}}])
    report = trying.report(riverside, state)
    assert report is not None
    text = str(figures(report))
    assert "Riverbend PCN no longer straddles two LCNs." in text and "G-AO-5S-FM/HV-R4fn-C1.00" in text
    assert trying.report(riverside, trying.state_with(None, [])) is None
    names = names_in(riverside)
    assert step_words(state["edits"][0], names) == (
        "Move Marlow Heath Medical Centre, Copper Beech Surgery to Fenwick and Southgate PCN")


def test_the_map_marks_what_the_change_touches(riverside: Site) -> None:
    link = riverside.links[0]
    state = trying.state_with(None, [{"move": {"unit": "p11", "to": "pcn-south"}}, {"remove": {"link": link.id}}])
    applied = trying.tried(riverside, state)
    assert applied is not None
    positions = {u.id: (float(i * 50), float(i % 7 * 40)) for i, u in enumerate(riverside.units)}
    placed = moved_beside(riverside, applied.site, positions)
    siblings = [positions[c] for c in riverside.children_by_id["pcn-south"]]
    spot = placed.unit("p11").attributes.position
    assert spot is not None and spot.x > max(x for x, _ in siblings)
    view = build_view(placed, positions, ViewOptions(opened=frozenset(u.id for u in riverside.units)))
    elements = marked(view.elements, applied, riverside)
    classes = {e["data"]["id"]: str(e.get("classes", "")).split() for e in elements}
    assert TRIED_CHANGED in classes["p11"] and TRIED_CHANGED in classes["pcn-riverbend"]
    assert TRIED_CHANGED not in classes["p13"] and TRIED_ADDED not in classes["p11"]
    removed = [e for e in elements if TRIED_REMOVED in str(e.get("classes", ""))]
    assert [(e["data"]["source"], e["data"]["target"]) for e in removed] == [(link.source, link.target)]


@pytest.mark.parametrize(("state", "listed"), [
    ("nonsense", []), ({"on": True, "edits": "p11"}, []), ({"on": True, "edits": [{"swap": {}}]}, ["swap"]),
    ({"on": True, "edits": [{"move": "p11"}]}, ["move"]), ({"on": 1, "edits": [None]}, [])])
def test_a_store_value_that_is_not_a_change_is_no_change(riverside: Site, state: object, listed: list[str]) -> None:
    # The value comes from the browser: whatever it holds, the map shows the site as it is.
    assert trying.tried(riverside, state) is None  # type: ignore[arg-type]
    assert [li.children for li in steps_list(state, {})] == listed  # type: ignore[arg-type]


def test_a_name_too_long_is_named_as_the_fault(riverside: Site) -> None:
    state = trying.state_with(None, [{"remove": {"unit": "p11"}}])
    with pytest.raises(SiteError) as caught:
        trying.scenario_of(state, "x" * 5000)
    assert faults(caught.value).startswith("Not done: the name of the change: ")
