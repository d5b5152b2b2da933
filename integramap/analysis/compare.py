"""Comparing integration models: across sites, and across two versions of one site.

Two sites are compared through their typology descriptors: side by side, a
similarity score in [0, 1] built from named components with fixed weights,
and the highest level joining each pair of sectors at each site. Two versions
of one site (same site id) are also compared unit by unit and link by link.

Similarity components (each in [0, 1]; two empty sets count as identical):

========================  ======  ==================================================
component                 weight  value
========================  ======  ==================================================
basis                     0.15    1 same basis; 0.5 when one is mixed and the other
                                  geographic or functional; else 0
populations               0.10    Jaccard index of the age groups served
sectors                   0.20    Jaccard index of the sectors involved
sector_pairs              0.15    Jaccard index of the pairs of sectors joined
depth                     0.20    1 − earth mover's distance between the two level
                                  distributions (shares of links), over the 5 steps
                                  of the level scale; 1 when neither has links,
                                  0 when only one has
mechanisms                0.10    Jaccard index of the mechanisms in use
rainbow                   0.10    Jaccard index of the Rainbow types and enablers
========================  ======  ==================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..model import Level, Site
from .typology import TypologyDescriptor, describe_site

WEIGHTS: dict[str, float] = {"basis": 0.15, "populations": 0.10, "sectors": 0.20, "sector_pairs": 0.15,
                             "depth": 0.20, "mechanisms": 0.10, "rainbow": 0.10}
"""Weight of each similarity component; they sum to 1."""

IGNORED_FIELDS = frozenset({"attributes.position"})
"""Fields left out of a version diff: moving a box on the map is not a change to the model."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SimilarityComponent(_Frozen):
    name: str
    weight: float
    value: float
    explanation: str


class PairSimilarity(_Frozen):
    """How alike two sites' models are: the weighted score and each component behind it."""

    a: str
    b: str
    score: float
    components: list[SimilarityComponent]


class FieldChange(_Frozen):
    field: str
    before: str
    after: str


class UnitRef(_Frozen):
    id: str
    name: str
    kind: str


class UnitChange(_Frozen):
    id: str
    name: str
    changes: list[FieldChange]


class LinkRef(_Frozen):
    id: str
    source: str
    target: str
    level: Level


class LinkChange(_Frozen):
    """A link in both versions: its level before and after, and every other field changed."""

    id: str
    source: str
    target: str
    level_before: Level
    level_after: Level
    direction: Literal["up", "down", "same"]
    changes: list[FieldChange]


class SiteDiff(_Frozen):
    """What changed between two versions of one site."""

    before: str
    after: str
    units_added: list[UnitRef]
    units_removed: list[UnitRef]
    units_changed: list[UnitChange]
    links_added: list[LinkRef]
    links_removed: list[LinkRef]
    links_changed: list[LinkChange]
    areas_added: list[str]
    areas_removed: list[str]
    levels_up: int
    levels_down: int


class Comparison(_Frozen):
    """Sites side by side: descriptors, pairwise similarity, the sector-pair level matrix, a diff."""

    labels: list[str]
    descriptors: list[TypologyDescriptor]
    similarity: list[PairSimilarity]
    level_matrix: dict[str, dict[str, Level | None]]
    diff: SiteDiff | None


def compare_sites(sites: Sequence[Site], labels: Sequence[str] | None = None) -> Comparison:
    """Compare two or more sites; when exactly two share a site id, also diff them as versions.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> units = [Unit(id="a", name="A", kind="team", sectors=["mental_health"]),
    ...          Unit(id="b", name="B", kind="team", sectors=["social_care"])]
    >>> before = Site(id="s", name="S", units=units,
    ...               links=[Link(id="l", source="a", target="b", level="co_located")])
    >>> after = before.replace(links=[{"id": "l", "source": "a", "target": "b", "level": "fully_merged"}])
    >>> c = compare_sites([before, after], labels=["2024", "2025"])
    >>> c.level_matrix
    {'mental_health+social_care': {'2024': <Level.CO_LOCATED: 'co_located'>, '2025': <Level.FULLY_MERGED: 'fully_merged'>}}
    >>> c.diff.links_changed[0].direction, c.similarity[0].score < 1
    ('up', True)
    """
    if len(sites) < 2:
        raise ValueError(f"a comparison needs two or more sites, got {len(sites)}")
    names = unique_labels(list(labels) if labels is not None else [s.id for s in sites])
    if len(names) != len(sites):
        raise ValueError(f"{len(names)} labels given for {len(sites)} sites; expected one per site")
    descriptors = [describe_site(s) for s in sites]
    similarity = [similarity_of(descriptors[i], descriptors[j], names[i], names[j])
                  for i, j in combinations(range(len(sites)), 2)]
    diff = None
    if len(sites) == 2 and sites[0].id == sites[1].id:
        diff = diff_sites(sites[0], sites[1], names[0], names[1])
    return Comparison(labels=names, descriptors=descriptors, similarity=similarity,
                      level_matrix=level_matrix(descriptors, names), diff=diff)


def unique_labels(labels: list[str]) -> list[str]:
    """Labels made distinct by numbering repeats: ``['s', 's']`` → ``['s', 's (2)']``.

    Examples
    --------
    >>> unique_labels(["a", "b", "a"])
    ['a', 'b', 'a (2)']
    """
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def level_matrix(descriptors: Sequence[TypologyDescriptor], labels: Sequence[str]) -> dict[str, dict[str, Level | None]]:
    """Highest level joining each sector pair at each site (``None`` where the pair is not joined)."""
    keys: dict[str, int] = {}
    for d in descriptors:
        for p in d.sector_pairs:
            keys.setdefault(p.pair, len(keys))
    order = sorted(keys, key=lambda k: _pair_rank(k))
    highest = [{p.pair: p.highest for p in d.sector_pairs} for d in descriptors]
    return {key: {label: h.get(key) for label, h in zip(labels, highest)} for key in order}


def _pair_rank(key: str) -> tuple[int, ...]:
    from ..model import Sector

    order = list(Sector)
    return tuple(order.index(Sector(s)) for s in key.split("+"))


def similarity_of(a: TypologyDescriptor, b: TypologyDescriptor, label_a: str = "a",
                  label_b: str = "b") -> PairSimilarity:
    """The similarity of two descriptors, with each weighted component explained.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> d = describe_site(Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")]))
    >>> similarity_of(d, d).score
    1.0
    """
    def rainbow_set(d: TypologyDescriptor) -> set[str]:
        return set(d.rainbow.types_present) | set(d.rainbow.enablers_present)

    basis = _basis_match(a.basis.value, b.basis.value)
    values: dict[str, tuple[float, str]] = {
        "basis": (basis, f"{a.basis.value} / {b.basis.value}"),
        "populations": _jaccard(a.populations.age_groups, b.populations.age_groups, "age groups"),
        "sectors": _jaccard(a.sectors, b.sectors, "sectors"),
        "sector_pairs": _jaccard([p.pair for p in a.sector_pairs], [p.pair for p in b.sector_pairs],
                                 "sector pairs joined"),
        "depth": _depth_similarity(a.depth.distribution, b.depth.distribution),
        "mechanisms": _jaccard(a.mechanisms, b.mechanisms, "mechanisms"),
        "rainbow": _jaccard(rainbow_set(a), rainbow_set(b), "Rainbow types and enablers"),
    }
    components = [SimilarityComponent(name=name, weight=WEIGHTS[name], value=round(v, 4), explanation=why)
                  for name, (v, why) in values.items()]
    score = round(sum(c.weight * c.value for c in components), 4)
    return PairSimilarity(a=label_a, b=label_b, score=score, components=components)


def _basis_match(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if {a, b} in ({"mixed", "geographic"}, {"mixed", "functional"}):
        return 0.5
    return 0.0


def _jaccard(a: Iterable[str], b: Iterable[str], what: str) -> tuple[float, str]:
    sa, sb = set(a), set(b)
    union = sa | sb
    if not union:
        return 1.0, f"neither records any {what}"
    shared = sa & sb
    return len(shared) / len(union), f"{len(shared)} of {len(union)} {what} in common"


def _depth_similarity(a: dict[str, int], b: dict[str, int]) -> tuple[float, str]:
    na, nb = sum(a.values()), sum(b.values())
    if not na and not nb:
        return 1.0, "neither has links"
    if not na or not nb:
        return 0.0, "only one has links"
    cum_a = cum_b = distance = 0.0
    for level in Level:
        cum_a += a.get(str(level), 0) / na
        cum_b += b.get(str(level), 0) / nb
        distance += abs(cum_a - cum_b)
    steps = len(Level) - 1
    return max(0.0, 1.0 - distance / steps), f"level distributions {distance:.2f} steps apart on average"


def diff_sites(before: Site, after: Site, before_label: str = "before", after_label: str = "after") -> SiteDiff:
    """Units, links and areas added, removed and changed between two versions of a site.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> v1 = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...     Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l", source="a", target="b", level="fully_merged")])
    >>> v2 = v1.replace(units=[{"id": "a", "name": "A renamed", "kind": "team"},
    ...     {"id": "b", "name": "B", "kind": "team"}],
    ...     links=[{"id": "l", "source": "a", "target": "b", "level": "co_located"}])
    >>> d = diff_sites(v1, v2)
    >>> d.units_changed[0].changes
    [FieldChange(field='name', before='A', after='A renamed')]
    >>> d.links_changed[0].direction, d.levels_down
    ('down', 1)
    """
    old_units, new_units = before.units_by_id, after.units_by_id
    old_links, new_links = before.links_by_id, after.links_by_id
    units_changed = []
    for uid in (u.id for u in after.units if u.id in old_units):
        changes = _field_changes(old_units[uid].model_dump(mode="json"), new_units[uid].model_dump(mode="json"))
        if changes:
            units_changed.append(UnitChange(id=uid, name=new_units[uid].name, changes=changes))
    links_changed = []
    for lid in (lk.id for lk in after.links if lk.id in old_links):
        old, new = old_links[lid], new_links[lid]
        changes = _field_changes(old.model_dump(mode="json", exclude={"level"}),
                                 new.model_dump(mode="json", exclude={"level"}))
        if changes or old.level != new.level:
            direction: Literal["up", "down", "same"] = (
                "up" if new.level > old.level else "down" if new.level < old.level else "same")
            links_changed.append(LinkChange(id=lid, source=new.source, target=new.target,
                                            level_before=old.level, level_after=new.level,
                                            direction=direction, changes=changes))
    return SiteDiff(
        before=before_label, after=after_label,
        units_added=[UnitRef(id=u.id, name=u.name, kind=str(u.kind)) for u in after.units if u.id not in old_units],
        units_removed=[UnitRef(id=u.id, name=u.name, kind=str(u.kind)) for u in before.units
                       if u.id not in new_units],
        units_changed=units_changed,
        links_added=[LinkRef(id=lk.id, source=lk.source, target=lk.target, level=lk.level)
                     for lk in after.links if lk.id not in old_links],
        links_removed=[LinkRef(id=lk.id, source=lk.source, target=lk.target, level=lk.level)
                       for lk in before.links if lk.id not in new_links],
        links_changed=links_changed,
        areas_added=[a.id for a in after.areas if a.id not in before.areas_by_id],
        areas_removed=[a.id for a in before.areas if a.id not in after.areas_by_id],
        levels_up=sum(1 for c in links_changed if c.direction == "up"),
        levels_down=sum(1 for c in links_changed if c.direction == "down"),
    )


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name != "footprint":
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    a, b = _flatten(old), _flatten(new)
    changes = []
    for field in dict.fromkeys([*a, *b]):
        if any(field == f or field.startswith(f + ".") for f in IGNORED_FIELDS):
            continue
        if a.get(field) != b.get(field):
            changes.append(FieldChange(field=field, before=_show(a.get(field)), after=_show(b.get(field))))
    return changes


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "(none)"
    return str(value)
