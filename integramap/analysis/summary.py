"""Counts that say at a glance what a site holds."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from ..model import Level, Site


class SiteSummary(BaseModel):
    """How many areas, units and links a site has, broken down by kind, sector and level."""

    id: str
    name: str
    areas: int
    population: float
    units: int
    links: int
    by_kind: dict[str, int]
    by_org_type: dict[str, int]
    by_sector: dict[str, int]
    by_level: dict[str, int]


def summarise(site: Site) -> SiteSummary:
    """Count a site's contents; every level appears, in order, even at zero.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="a", name="A", kind="team", sectors=["mental_health"]),
    ...     Unit(id="b", name="B", kind="team", sectors=["social_care"])],
    ...     links=[Link(id="l", source="a", target="b", level="co_located")])
    >>> s = summarise(site)
    >>> s.by_kind, s.by_level["co_located"], s.by_level["fully_merged"]
    ({'team': 2}, 1, 0)
    """
    kinds = Counter(str(u.kind) for u in site.units)
    org_types = Counter(str(u.org_type) for u in site.units if u.org_type is not None)
    sectors = Counter(str(s) for u in site.units for s in u.sectors)
    levels = Counter(str(lk.level) for lk in site.links)
    return SiteSummary(
        id=site.id,
        name=site.name,
        areas=len(site.areas),
        population=sum(a.population or 0.0 for a in site.areas),
        units=len(site.units),
        links=len(site.links),
        by_kind=dict(sorted(kinds.items())),
        by_org_type=dict(sorted(org_types.items())),
        by_sector=dict(sorted(sectors.items())),
        by_level={str(level): levels.get(str(level), 0) for level in Level},
    )


def format_summary(summary: SiteSummary) -> str:
    """The summary as a short plain-text report."""
    lines = [f"{summary.name} ({summary.id})",
             f"  areas: {summary.areas}  population: {summary.population:,.0f}",
             f"  units: {summary.units}  links: {summary.links}"]
    for title, counts in (("units by kind", summary.by_kind), ("organisations by type", summary.by_org_type),
                          ("units by sector", summary.by_sector), ("links by level", summary.by_level)):
        if counts:
            lines.append(f"  {title}:")
            lines += [f"    {key.replace('_', ' '):<20} {n:>6}" for key, n in counts.items()]
    return "\n".join(lines)
