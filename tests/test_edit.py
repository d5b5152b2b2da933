"""Edit operations: each change, each refusal with the form field it names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integramap.edit import (
    add_link,
    add_unit,
    delete_link,
    delete_unit,
    new_id,
    new_site,
    set_positions,
    update_link,
    update_unit,
)
from integramap.edit import DuplicateLink
from integramap.model import Level, Site, SiteError, validate_site


@pytest.fixture
def site() -> Site:
    return validate_site({
        "id": "demo", "name": "Demo",
        "areas": [{"id": "a1", "population": 100}, {"id": "a2"}],
        "units": [
            {"id": "trust", "name": "Trust", "kind": "organisation", "org_type": "nhs_trust"},
            {"id": "council", "name": "Council", "kind": "organisation", "org_type": "local_authority"},
            {"id": "mh", "name": "Mental health", "kind": "directorate", "parent": "trust"},
            {"id": "crisis", "name": "Crisis team", "kind": "team", "parent": "mh",
             "attributes": {"employer": "Trust", "staff_count": 9, "position": {"x": 1, "y": 2}}},
            {"id": "social", "name": "Social work", "kind": "team", "parent": "council"},
        ],
        "links": [
            {"id": "l1", "source": "crisis", "target": "social", "level": "co_located",
             "facets": {"it": "separate"}, "mechanisms": ["interface_meeting"]},
            {"id": "l2", "source": "trust", "target": "council", "level": "closer_working"},
        ],
    })


def locs(err: pytest.ExceptionInfo[SiteError]) -> list[tuple[str | int, ...]]:
    return [p.loc for p in err.value.problems]


# new_id / new_site ------------------------------------------------------------------------


def test_new_id_is_unique_across_units_links_and_areas(site: Site) -> None:
    assert new_id(site, "team") == "team-1"
    assert new_id(site, "a") == "a-1"
    grown = add_unit(site, {"id": "team-1", "name": "x", "kind": "team"})
    grown = add_unit(grown, {"id": "team-3", "name": "y", "kind": "team"})
    made = new_id(grown, "team")
    assert made not in {"team-1", "team-3"} and made.startswith("team-")
    assert new_id(site, "  ") == "item-1"
    assert new_id(site, "Läuft gut") .startswith("L")


def test_ids_made_from_names_never_repeat_over_many_additions() -> None:
    current = new_site("s", "S")
    for _ in range(30):
        current = add_unit(current, {"name": "District Nursing West", "kind": "team"})
    current = add_unit(current, {"name": "!!!", "kind": "team"})
    ids = [u.id for u in current.units]
    assert len(set(ids)) == 31 and ids[:3] == ["district-nursing-west", "district-nursing-west-2",
                                               "district-nursing-west-3"]
    assert ids[-1] == "team", "a name with no letters or digits falls back on the kind"


def test_new_site_and_its_refusals() -> None:
    site = new_site(" borough ", " Borough ")
    assert (site.id, site.name, site.units, site.links) == ("borough", "Borough", [], [])
    with pytest.raises(SiteError) as err:
        new_site("", "")
    assert locs(err) == [("id",), ("name",)]
    with pytest.raises(SiteError) as err:
        new_site("no spaces allowed", "Fine")
    assert locs(err) == [("id",)]
    assert "pattern" in str(err.value) or "should match" in str(err.value)


# add_unit ---------------------------------------------------------------------------------


def test_add_unit_generates_the_id_from_the_name(site: Site) -> None:
    after = add_unit(site, {"name": "Hub", "kind": "hub", "parent": "council", "sectors": ["social_care"]})
    hub = after.unit("hub")
    assert hub.parent == "council" and [str(s) for s in hub.sectors] == ["social_care"]
    assert after.units[:-1] == site.units and after.links == site.links
    assert len(site.units) == 5, "the original site is unchanged"


def test_add_unit_accepts_form_values(site: Site) -> None:
    after = add_unit(site, {
        "id": "", "name": "  Frailty team ", "kind": "team", "org_type": None, "basis": "",
        "parent": "mh", "sectors": "community_health, social_care", "age_groups": None,
        "functions": "frailty,falls", "population_types": "", "description": "",
        "employer": "Trust", "it_system": "", "staff_count": "14", "code": None,
    })
    unit = after.units[-1]
    assert unit.id == "frailty-team" and unit.name == "Frailty team"
    assert unit.basis is None and unit.org_type is None and unit.age_groups == []
    assert [str(s) for s in unit.sectors] == ["community_health", "social_care"]
    assert unit.functions == ["frailty", "falls"] and unit.population_types == []
    assert unit.attributes.employer == "Trust" and unit.attributes.it_system is None
    assert unit.attributes.staff_count == 14


def test_add_unit_with_nested_attributes_and_footprint(site: Site) -> None:
    after = add_unit(site, {"id": "t", "name": "T", "kind": "team",
                            "attributes": {"location": "Civic centre", "code": ""},
                            "footprint": {"a1": 0.5, "a2": 1}})
    unit = after.unit("t")
    assert unit.attributes.location == "Civic centre" and unit.attributes.code is None
    assert unit.footprint == {"a1": 0.5, "a2": 1.0}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"kind": "team"}, [("name",)]),
    ({"name": "  ", "kind": "team"}, [("name",)]),
    ({"name": "T"}, [("kind",)]),
    ({"name": "", "kind": None}, [("name",), ("kind",)]),
    ({"name": "T", "kind": "spaceship"}, [("kind",)]),
    ({"name": "T", "kind": "team", "parent": "nowhere"}, [("parent",)]),
    ({"name": "T", "kind": "team", "org_type": "nhs_trust"}, [("org_type",)]),
    ({"id": "crisis", "name": "T", "kind": "team"}, [("id",)]),
    ({"id": "bad id!", "name": "T", "kind": "team"}, [("id",)]),
    ({"name": "T", "kind": "team", "staff_count": "-3"}, [("staff_count",)]),
    ({"name": "T", "kind": "team", "staff_count": "many"}, [("staff_count",)]),
    ({"name": "T", "kind": "team", "attributes": {"staff_count": -1}}, [("attributes", "staff_count")]),
    ({"name": "T", "kind": "team", "sectors": "acute, rocketry"}, [("sectors", 1)]),
    ({"name": "T", "kind": "team", "footprint": {"zz": 1}}, [("footprint", "zz")]),
    ({"name": "T", "kind": "team", "footprint": {"a1": 2}}, [("footprint", "a1")]),
    ({"name": "T", "kind": "team", "colour": "red"}, [("colour",)]),
])
def test_add_unit_refusals_name_the_field(site: Site, fields: dict[str, object],
                                          expected: list[tuple[str | int, ...]]) -> None:
    with pytest.raises(SiteError) as err:
        add_unit(site, fields)
    assert locs(err) == expected
    assert all(p.message for p in err.value.problems)


def test_refusal_messages_say_what_was_expected(site: Site) -> None:
    with pytest.raises(SiteError, match="unknown unit 'nowhere'; expected the id of a unit"):
        add_unit(site, {"name": "T", "kind": "team", "parent": "nowhere"})
    with pytest.raises(SiteError, match="the id 'crisis' is already used by another unit \\(Crisis team\\)"):
        add_unit(site, {"id": "crisis", "name": "T", "kind": "team"})
    with pytest.raises(SiteError, match="a name is required"):
        add_unit(site, {"name": "", "kind": "team"})


# update_unit ------------------------------------------------------------------------------


def test_update_unit_changes_only_what_is_given(site: Site) -> None:
    after = update_unit(site, "crisis", {"name": "Crisis resolution", "staff_count": 11})
    unit = after.unit("crisis")
    assert unit.name == "Crisis resolution" and unit.attributes.staff_count == 11
    assert unit.attributes.employer == "Trust" and unit.attributes.position is not None
    assert unit.parent == "mh" and after.links == site.links


def test_update_unit_clears_fields_given_blank(site: Site) -> None:
    after = update_unit(site, "crisis", {"parent": "", "employer": "", "attributes": {"staff_count": None}})
    unit = after.unit("crisis")
    assert unit.parent is None and unit.attributes.employer is None and unit.attributes.staff_count is None
    assert update_unit(site, "trust", {"org_type": None}).unit("trust").org_type is None


def test_renaming_a_unit_id_carries_to_children_and_links(site: Site) -> None:
    after = update_unit(site, "trust", {"id": "nhs-trust"})
    assert "trust" not in after.units_by_id
    assert after.unit("mh").parent == "nhs-trust"
    assert (after.link("l2").source, after.link("l2").target) == ("nhs-trust", "council")
    renamed = update_unit(site, "social", {"id": "sw"})
    assert renamed.link("l1").target == "sw"
    assert [u.id for u in renamed.units].index("sw") == 4, "the unit keeps its place"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"id": "council"}, [("id",)]),
    ({"id": ""}, [("id",)]),
    ({"parent": "crisis"}, [("parent",)]),   # its own child
    ({"parent": "mh"}, [("parent",)]),       # its own child too
    ({"name": ""}, [("name",)]),
    ({"kind": "team"}, [("org_type",)]),     # an org type on a team
    ({"sectors": ["nope"]}, [("sectors", 0)]),
])
def test_update_unit_refusals_name_the_field(site: Site, changes: dict[str, object],
                                             expected: list[tuple[str | int, ...]]) -> None:
    with pytest.raises(SiteError) as err:
        update_unit(site, "trust", changes)
    assert locs(err) == expected


def test_update_or_delete_of_a_missing_unit(site: Site) -> None:
    for call in (lambda: update_unit(site, "ghost", {"name": "x"}), lambda: delete_unit(site, "ghost")):
        with pytest.raises(SiteError, match="no unit 'ghost'") as err:
            call()
        assert locs(err) == [("id",)]


# delete_unit ------------------------------------------------------------------------------


def test_delete_unit_removes_its_links(site: Site) -> None:
    after = delete_unit(site, "crisis")
    assert "crisis" not in after.units_by_id
    assert [lk.id for lk in after.links] == ["l2"]
    assert len(after.units) == 4


def test_delete_unit_with_children_names_them(site: Site) -> None:
    with pytest.raises(SiteError) as err:
        delete_unit(site, "trust")
    assert locs(err) == [("id",)]
    assert "Trust contains 1 unit (Mental health); move or delete it first" in str(err.value)
    crowded = site
    for i in range(7):
        crowded = add_unit(crowded, {"name": f"T{i}", "kind": "team", "parent": "council"})
    with pytest.raises(SiteError, match=r"Council contains 8 units \(Social work, T0, T1, T2, T3 and 3 more\); "
                                        "move or delete them first"):
        delete_unit(crowded, "council")


# links ------------------------------------------------------------------------------------


def test_add_link_with_flat_facets_and_mechanisms(site: Site) -> None:
    after = add_link(site, {"source": "mh", "target": "social", "level": "pooled_management",
                            "target_level": "fully_merged", "governance": "joint_committee", "it": "",
                            "mechanisms": "care_navigator, shared_training", "notes": " weekly "})
    link = after.links[-1]
    assert link.id == "link-1"
    assert link.level is Level.POOLED_MANAGEMENT and link.target_level is Level.FULLY_MERGED
    assert str(link.facets.governance) == "joint_committee" and link.facets.it is None
    assert [str(m) for m in link.mechanisms] == ["care_navigator", "shared_training"]
    assert link.notes == "weekly"


@pytest.mark.parametrize(("fields", "expected"), [
    ({"target": "social", "level": "interface"}, [("source",)]),
    ({"source": "mh", "level": "interface"}, [("target",)]),
    ({"source": "mh", "target": "social"}, [("level",)]),
    ({"source": "mh", "target": "social", "level": "best"}, [("level",)]),
    ({"source": "mh", "target": "ghost", "level": "interface"}, [("target",)]),
    ({"source": "ghost", "target": "mh", "level": "interface"}, [("source",)]),
    ({"source": "mh", "target": "mh", "level": "interface"}, [("target",)]),
    ({"source": "crisis", "target": "trust", "level": "interface"}, [("target",)]),  # its ancestor
    ({"id": "l1", "source": "mh", "target": "social", "level": "interface"}, [("id",)]),
    ({"source": "mh", "target": "social", "level": "interface", "it": "telepathy"}, [("it",)]),
    ({"source": "mh", "target": "social", "level": "interface", "facets": {"hr": "x"}}, [("facets", "hr")]),
    ({"source": "mh", "target": "social", "level": "interface", "mechanisms": ["post"]}, [("mechanisms", 0)]),
])
def test_add_link_refusals_name_the_field(site: Site, fields: dict[str, object],
                                          expected: list[tuple[str | int, ...]]) -> None:
    with pytest.raises(SiteError) as err:
        add_link(site, fields)
    assert locs(err) == expected


def test_update_link_keeps_other_fields(site: Site) -> None:
    after = update_link(site, "l1", {"level": "fully_merged", "estates": "co_located"})
    link = after.link("l1")
    assert link.level is Level.FULLY_MERGED
    assert str(link.facets.estates) == "co_located" and str(link.facets.it) == "separate"
    assert [str(m) for m in link.mechanisms] == ["interface_meeting"]
    moved = update_link(site, "l1", {"target": "council"})
    assert moved.link("l1").target == "council"
    with pytest.raises(SiteError) as err:
        update_link(site, "l1", {"target": "crisis"})
    assert locs(err) == [("target",)]
    with pytest.raises(SiteError) as err:
        update_link(site, "l1", {"id": "l2"})
    assert locs(err) == [("id",)]
    with pytest.raises(SiteError, match="no link 'zz'") as err:
        update_link(site, "zz", {"level": "interface"})
    assert locs(err) == [("id",)]


def test_a_second_link_between_the_same_units_is_refused_naming_the_first(site: Site) -> None:
    for source, target in (("crisis", "social"), ("social", "crisis")):
        with pytest.raises(DuplicateLink) as err:
            add_link(site, {"source": source, "target": target, "level": "fully_merged"})
        assert err.value.existing == "l1" and locs(err) == [("target",)]
        assert "Crisis team and Social work are already linked (co-located)" in str(err.value.problems[0])
    with pytest.raises(DuplicateLink):
        update_link(site, "l2", {"source": "crisis", "target": "social"})
    assert update_link(site, "l1", {"source": "social", "target": "crisis"}).link("l1").source == "social"


def test_delete_link(site: Site) -> None:
    after = delete_link(site, "l1")
    assert [lk.id for lk in after.links] == ["l2"] and after.units == site.units
    with pytest.raises(SiteError) as err:
        delete_link(site, "zz")
    assert locs(err) == [("id",)]


# positions --------------------------------------------------------------------------------


def test_set_positions(site: Site) -> None:
    after = set_positions(site, {"social": (5.5, 6), "crisis": (1, 2), "group:trust": (0, 0)})
    pos = after.unit("social").attributes.position
    assert pos is not None and (pos.x, pos.y) == (5.5, 6.0)
    assert after.unit("crisis") is site.unit("crisis"), "an unmoved unit is reused"
    assert set_positions(site, {}) is site
    assert set_positions(site, {"crisis": (1.0, 2.0)}) is site
    with pytest.raises(SiteError) as err:
        set_positions(site, {"social": (float("nan"), 1), "mh": ("a", "b")})
    assert locs(err) == [("position", "social"), ("position", "mh")]


# properties -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "name", "kind", "parent", "sectors", "staff_count", "basis",
                                        "org_type", "employer", "footprint", "age_groups"]),
                       st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 5),
                                 st.lists(st.text(max_size=5), max_size=3),
                                 st.dictionaries(st.text(max_size=4), st.floats(), max_size=2))))
def test_add_unit_returns_a_valid_site_or_a_field_error(fields: dict[str, object]) -> None:
    base = validate_site({"id": "s", "name": "S", "areas": [{"id": "a"}],
                          "units": [{"id": "org", "name": "Org", "kind": "organisation"}]})
    try:
        after = add_unit(base, fields)
    except SiteError as err:
        assert err.problems and all(p.loc and isinstance(p.loc[0], str) for p in err.problems)
        return
    assert len(after.units) == 2 and Site.model_validate(after.model_dump()) == after
