"""Layers: parsing the WORD[:SECTOR[:FUNCTION]] grammar and choosing a site's units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from integramap.analysis.layers import Layer, LayerError, as_layer, layer_units
from integramap.model import OrgType, Sector, Site, Unit, UnitKind


def make_site() -> Site:
    return Site(id="s", name="S", units=[
        Unit(id="la", name="Council", kind="organisation", org_type="local_authority"),
        Unit(id="trust", name="Trust", kind="organisation", org_type="nhs_trust", sectors=["mental_health"]),
        Unit(id="psy", name="Psychosis team", kind="team", parent="trust", sectors=["mental_health"],
             functions=["Psychosis"]),
        Unit(id="eat", name="Eating disorders", kind="team", parent="trust", sectors=["mental_health"],
             functions=["eating disorders"]),
        Unit(id="frail", name="Frailty team", kind="team", sectors=["community_health"], functions=["frailty"]),
        Unit(id="p1", name="PCN 1", kind="pcn"),
        Unit(id="p2", name="PCN 2", kind="pcn"),
    ])


@pytest.mark.parametrize(("spec", "kind", "org_type", "sector", "function"), [
    ("pcn", UnitKind.PCN, None, None, None),
    ("local_authority", None, OrgType.LOCAL_AUTHORITY, None, None),
    ("team:mental_health", UnitKind.TEAM, None, Sector.MENTAL_HEALTH, None),
    ("team:mental_health:psychosis", UnitKind.TEAM, None, Sector.MENTAL_HEALTH, "psychosis"),
    ("team::frailty", UnitKind.TEAM, None, None, "frailty"),
    ("  PCN  ", UnitKind.PCN, None, None, None),
    ("nhs_trust:mental_health", None, OrgType.NHS_TRUST, Sector.MENTAL_HEALTH, None),
])
def test_parse_valid_specs(spec: str, kind: UnitKind | None, org_type: OrgType | None,
                           sector: Sector | None, function: str | None) -> None:
    layer = Layer.parse(spec)
    assert (layer.kind, layer.org_type, layer.sector, layer.function) == (kind, org_type, sector, function)


@pytest.mark.parametrize(("spec", "words"), [
    ("pnc", ["unknown layer 'pnc'", "pcn", "local_authority", "team:mental_health:psychosis"]),
    ("", ["unknown layer", "system"]),
    ("team:psychosis", ["unknown sector 'psychosis'", "mental_health", "team::psychosis"]),
    ("team:mental_health:psychosis:extra", ["4 parts", "WORD[:SECTOR[:FUNCTION]]"]),
    ("team:mental_health:", ["empty function"]),
])
def test_bad_specs_name_what_was_expected(spec: str, words: list[str]) -> None:
    with pytest.raises(LayerError) as err:
        Layer.parse(spec)
    for word in words:
        assert word in str(err.value)


def test_a_layer_has_exactly_one_name() -> None:
    with pytest.raises(ValidationError):
        Layer(kind="team", org_type="nhs_trust")
    with pytest.raises(ValidationError):
        Layer()
    with pytest.raises(ValidationError):
        Layer(kind="team", function="  ")


@pytest.mark.parametrize("spec", ["pcn", "local_authority", "team:mental_health",
                                  "team:mental_health:psychosis", "team::frailty"])
def test_string_form_round_trips(spec: str) -> None:
    assert str(Layer.parse(spec)) == spec
    assert Layer.parse(str(Layer.parse(spec))) == Layer.parse(spec)


@given(word=st.sampled_from([k.value for k in UnitKind] + [o.value for o in OrgType]),
       sector=st.none() | st.sampled_from([s.value for s in Sector]),
       function=st.none() | st.text(alphabet="abcdefghij _-", min_size=1, max_size=12).filter(str.strip))
def test_any_valid_layer_round_trips(word: str, sector: str | None, function: str | None) -> None:
    parts = [word]
    if sector is not None or function is not None:
        parts.append(sector or "")
    if function is not None:
        parts.append(function)
    layer = Layer.parse(":".join(parts))
    assert Layer.parse(str(layer)) == layer


def test_labels_read_as_words() -> None:
    assert Layer.parse("local_authority").label == "local authorities"
    assert Layer.parse("local_authority").singular == "local authority"
    assert Layer.parse("pcn").singular == "PCN"
    assert Layer.parse("team:mental_health:psychosis").label == "mental health teams (psychosis)"


def test_units_of_a_layer() -> None:
    site = make_site()
    assert [u.id for u in layer_units(site, "pcn")] == ["p1", "p2"]
    assert [u.id for u in layer_units(site, "local_authority")] == ["la"]
    assert [u.id for u in layer_units(site, "team:mental_health")] == ["psy", "eat"]
    assert [u.id for u in layer_units(site, "team:mental_health:PSYCHOSIS")] == ["psy"]
    assert [u.id for u in layer_units(site, "team::frailty")] == ["frail"]
    assert layer_units(site, "lcn") == []
    assert [u.id for u in layer_units(site, "organisation")] == ["la", "trust"]


def test_as_layer_accepts_both_forms() -> None:
    layer = Layer(kind="pcn")
    assert as_layer(layer) is layer
    assert as_layer("pcn") == layer
    with pytest.raises(LayerError):
        as_layer("nonsense")


@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_layer_error(spec: str) -> None:
    try:
        layer = Layer.parse(spec)
    except LayerError as err:
        assert "expected" in str(err)
    else:
        assert Layer.parse(str(layer)) == layer
