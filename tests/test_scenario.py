"""Scenarios: reading a scenario file, and applying each kind of edit to a copy of a site."""

from __future__ import annotations

from pathlib import Path

import pytest

from integramap.analysis.footprints import _build, footprints, footprints_from
from integramap.io import read_site
from integramap.io.scenariofile import dump_scenario, parse_scenario, read_scenario, write_scenario
from integramap.model import Level, Site, SiteError, validate_site
from integramap.scenario import validate_scenario
from integramap.scenario_edits import apply_scenario

from conftest import MODELS


@pytest.fixture
def site() -> Site:
    return validate_site({
        "id": "demo", "name": "Demo",
        "areas": [{"id": f"a{i}", "population": 100 * (i + 1)} for i in range(4)],
        "units": [
            {"id": "place", "name": "Place", "kind": "place"},
            {"id": "north", "name": "North PCN", "kind": "pcn", "parent": "place"},
            {"id": "south", "name": "South PCN", "kind": "pcn", "parent": "place"},
            {"id": "g1", "name": "GP 1", "kind": "practice", "parent": "north", "footprint": {"a0": 1}},
            {"id": "g2", "name": "GP 2", "kind": "practice", "parent": "north", "footprint": {"a1": 1}},
            {"id": "g3", "name": "GP 3", "kind": "practice", "parent": "south", "footprint": {"a2": 1}},
            {"id": "trust", "name": "Trust", "kind": "organisation", "org_type": "nhs_trust"},
            {"id": "t1", "name": "Team 1", "kind": "team", "parent": "trust", "footprint": {"a0": 1, "a1": 0.5}},
            {"id": "t2", "name": "Team 2", "kind": "team", "parent": "trust", "footprint": {"a1": 0.5, "a2": 1}},
            {"id": "t3", "name": "Team 3", "kind": "team", "parent": "trust", "footprint": {"a3": 1}},
        ],
        "links": [
            {"id": "l1", "source": "t1", "target": "north", "level": "interface"},
            {"id": "l2", "source": "t2", "target": "north", "level": "co_located"},
            {"id": "l3", "source": "t1", "target": "t2", "level": "closer_working"},
            {"id": "l4", "source": "t2", "target": "south", "level": "interface"},
        ],
    })


def run(site: Site, *edits: dict[str, object]) -> Site:
    return apply_scenario(site, validate_scenario({"name": "try", "edits": list(edits)})).site


def test_move_changes_a_copy_only(site: Site) -> None:
    applied = apply_scenario(site, validate_scenario({"name": "x", "edits": [
        {"move": {"units": ["g1", "g2"], "to": "south"}}]}))
    assert [applied.site.unit(u).parent for u in ("g1", "g2")] == ["south", "south"]
    assert site.unit("g1").parent == "north"  # the site given is untouched
    assert applied.changed_units == ["g1", "g2", "north", "south"]
    assert footprints(applied.site).weights("south") == {"a0": 1.0, "a1": 1.0, "a2": 1.0}
    assert footprints(applied.site).weights("north") == {}


def test_merge_takes_members_links_and_footprints(site: Site) -> None:
    after = run(site, {"merge": {"units": ["t1", "t2"], "name": "Merged team"}})
    assert "t2" not in after.units_by_id
    merged = after.unit("t1")
    assert merged.name == "Merged team"
    # The two halves of a1 are different people: together they cover all of it.
    assert merged.footprint == {"a0": 1.0, "a1": 1.0, "a2": 1.0}
    # t1 and t2 both linked to North PCN: one link stays, the higher; the link between them goes.
    assert sorted((lk.id, lk.source, lk.target, str(lk.level)) for lk in after.links) == [
        ("l2", "t1", "north", "co_located"), ("l4", "t1", "south", "interface")]


def test_merge_of_units_with_members(site: Site) -> None:
    after = run(site, {"merge": {"units": ["north", "south"], "into": "south"}})
    assert sorted(after.children_by_id["south"]) == ["g1", "g2", "g3"]
    assert footprints(after).weights("south") == {"a0": 1.0, "a1": 1.0, "a2": 1.0}
    assert {lk.target for lk in after.links if lk.target in ("north", "south")} == {"south"}


def test_split_by_members_and_by_areas(site: Site) -> None:
    after = run(site, {"split": {"unit": "north", "new": {"id": "west", "name": "West PCN"}, "members": ["g2"]}})
    assert after.unit("g2").parent == "west"
    assert after.unit("west").kind == "pcn" and after.unit("west").parent == "place"
    assert [lk.id for lk in after.links if "west" in (lk.source, lk.target)] == []

    after = run(site, {"split": {"unit": "t1", "new": {"id": "t1b", "name": "Team 1 east"}, "areas": ["a1"],
                                 "copy_links": True}})
    assert after.unit("t1").footprint == {"a0": 1.0}
    assert after.unit("t1b").footprint == {"a1": 0.5}
    copies = sorted((lk.source, lk.target) for lk in after.links if "t1b" in (lk.source, lk.target))
    assert copies == [("t1b", "north"), ("t1b", "t2")]


def test_set_level_add_link_and_remove(site: Site) -> None:
    after = run(site,
                {"set_level": {"link": "l1", "level": "pooled_management", "facets": {"it": "shared_record"}}},
                {"add_link": {"source": "t3", "target": "south", "level": "closer_working",
                              "mechanisms": ["interface_meeting"]}},
                {"remove": {"link": "l4"}},
                {"remove": {"unit": "g3"}})
    assert after.link("l1").level is Level.POOLED_MANAGEMENT and str(after.link("l1").facets.it) == "shared_record"
    added = [lk for lk in after.links if lk.source == "t3"]
    assert len(added) == 1 and [str(m) for m in added[0].mechanisms] == ["interface_meeting"]
    assert "l4" not in after.links_by_id and "g3" not in after.units_by_id


def test_edits_apply_in_order_so_a_later_edit_can_use_an_earlier_unit(site: Site) -> None:
    after = run(site, {"split": {"unit": "north", "new": {"id": "west", "name": "West PCN"}, "members": ["g2"]}},
                {"add_link": {"id": "lw", "source": "t2", "target": "west", "level": "interface"}})
    assert after.link("lw").target == "west"


@pytest.mark.parametrize(("edit", "where", "words"), [
    ({"move": {"unit": "g1", "to": "nowhere"}}, "edits[0].move.to", "no unit 'nowhere'"),
    ({"move": {"unit": "ghost", "to": "south"}}, "edits[0].move.unit", "no unit 'ghost'"),
    ({"move": {"unit": "place", "to": "g1"}}, "edits[0].move.to", "loops back"),
    ({"merge": {"units": ["t1", "north"]}}, "edits[0].merge.units", "one kind"),
    ({"split": {"unit": "north", "new": {"id": "g1", "name": "X"}, "members": ["g1"]}},
     "edits[0].split.new.id", "already used"),
    ({"split": {"unit": "north", "new": {"id": "w", "name": "W"}, "areas": ["a0"]}},
     "edits[0].split.areas", "split by `members` instead"),
    ({"split": {"unit": "north", "new": {"id": "w", "name": "W"}, "members": ["g3"]}},
     "edits[0].split.members", "not in North PCN"),
    ({"set_level": {"link": "l9", "level": "interface"}}, "edits[0].set_level.link", "no link 'l9'"),
    ({"add_link": {"source": "t1", "target": "t1", "level": "interface"}}, "edits[0].add_link.target", "itself"),
    ({"remove": {"unit": "north"}}, "edits[0].remove.unit", "contains 2 units"),
    ({"move": {"unit": "t1", "to": "north"}}, "edits[0].move", "its own ancestor 'north'"),
])
def test_an_edit_that_cannot_be_made_is_named_at_its_field(site: Site, edit: dict[str, object], where: str,
                                                          words: str) -> None:
    with pytest.raises(SiteError) as caught:
        run(site, edit)
    problems = caught.value.problems
    assert any(p.where == where and words in p.message for p in problems), [str(p) for p in problems]
    assert "cannot be made" in caught.value.summary


def test_a_scenario_for_another_site_is_refused(site: Site) -> None:
    with pytest.raises(SiteError, match="written for site 'riverside-borough'"):
        apply_scenario(site, validate_scenario({"name": "x", "site": "riverside-borough",
                                                "edits": [{"remove": {"link": "l1"}}]}))


BAD_FILE = """\
name: Try things
edits:
  - move: {unit: p11}
  - merge: {units: [a, b], into: c}
  - swap: {a: b}
  - set_level: {link: l1}
  - add_link: {source: a, target: b, level: very_high}
  - remove: {unit: a, link: b}
  - split: {unit: a, new: {id: b, name: B}}
"""


def test_a_scenario_file_is_checked_whole_each_fault_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        read_scenario(path)
    found = {(p.line, p.where) for p in caught.value.problems}
    assert found == {(3, "edits[0].move.to"), (4, "edits[1].merge"), (5, "edits[2]"), (6, "edits[3].set_level"),
                     (7, "edits[4].add_link.level"), (8, "edits[5].remove"), (9, "edits[6].split")}
    text = str(caught.value)
    assert text.startswith(f"{path}: is not a valid scenario (7 problems)")
    assert "not one of `units`" in text and "one of move, merge, split" in text and "nothing to change" in text


@pytest.mark.parametrize(("text", "words"), [
    ("", "the file is empty; expected a scenario"),
    ("- a\n- b\n", "expected a mapping with `name` and `edits`"),
    ("name: x\nedits: []\n", "edits: List should have at least 1 item"),
    ("name: x\nedits: [{move: {unit: a, to: b}}]\nextra: 1\n", "extra: unknown field"),
    ("name: [unclosed\n", "invalid YAML"),
])
def test_malformed_scenario_files_are_refused_with_a_reason(text: str, words: str) -> None:
    with pytest.raises(SiteError) as caught:
        parse_scenario(text, source="s.yaml")
    assert words in str(caught.value)


def test_a_scenario_round_trips_through_its_file(tmp_path: Path) -> None:
    scenario = read_scenario(MODELS / "scenarios" / "riverside-split-riverbend.yaml")
    path = write_scenario(scenario, tmp_path / "copy.yaml")
    again = read_scenario(path)
    assert again.model_dump() == scenario.model_dump()
    assert dump_scenario(again) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("edits", [
    [{"move": {"units": ["g1", "g2"], "to": "south"}}],
    [{"move": {"unit": "north", "to": "trust"}}],
    [{"move": {"unit": "t3", "to": "north"}}, {"move": {"unit": "g3", "to": "t3"}}],
    [{"set_level": {"link": "l1", "level": "fully_merged"}}],
    [{"split": {"unit": "t1", "new": {"id": "t1b", "name": "T"}, "areas": ["a1"]}}],
    [{"merge": {"units": ["north", "south"]}}],
])
def test_footprints_worked_out_from_the_sites_own_are_those_built_afresh(site: Site,
                                                                        edits: list[dict[str, object]]) -> None:
    after = run(site, *edits)
    derived = footprints_from(after, site)
    fresh = _build(after)
    assert derived.unit_ids == fresh.unit_ids and derived.parent.tolist() == fresh.parent.tolist()
    assert (derived.matrix != fresh.matrix).nnz == 0
    assert footprints(after) is derived


def test_footprints_worked_out_after_moves_on_riverside() -> None:
    riverside = read_site(MODELS / "riverside-borough.yaml")
    after = run(riverside, {"move": {"units": ["p11", "p12"], "to": "pcn-south"}},
                {"move": {"unit": "hub-spa", "to": "lcn-north"}})
    assert (footprints_from(after, riverside).matrix != _build(after).matrix).nnz == 0
