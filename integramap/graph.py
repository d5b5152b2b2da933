"""A site as a networkx graph, and back; the graph queries later features share.

The full graph is a :class:`networkx.MultiDiGraph`: units are nodes carrying
their fields, integration links are edges keyed by link id with
``relation="link"``, and containment is an edge from child to parent keyed
``"parent"`` with ``relation="parent"``. Site-level fields (areas, source,
metadata) travel in ``graph.graph`` so that :func:`from_graph` rebuilds an
equal site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from .model import Link, OrgType, Sector, Site, Unit, UnitKind, validate_site

PARENT_KEY = "parent"
LINK = "link"
PARENT = "parent"


def to_graph(site: Site) -> nx.MultiDiGraph:
    """The whole site as a multigraph: units, links and parent relations.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="org", name="Trust", kind="organisation"),
    ...     Unit(id="t1", name="Team 1", kind="team", parent="org"),
    ...     Unit(id="t2", name="Team 2", kind="team")],
    ...     links=[Link(id="l1", source="t1", target="t2", level="co_located")])
    >>> g = to_graph(site)
    >>> sorted(g.edges(keys=True))
    [('t1', 'org', 'parent'), ('t1', 't2', 'l1')]
    >>> g.edges["t1", "t2", "l1"]["level"]
    'co_located'
    >>> from_graph(g) == site
    True
    """
    g = nx.MultiDiGraph()
    g.graph.update(site.model_dump(mode="json", exclude={"units", "links"}))
    # Edge iteration follows node adjacency, not file order; keep the order to rebuild it.
    g.graph["link_order"] = [link.id for link in site.links]
    for unit in site.units:
        g.add_node(unit.id, **unit.model_dump(mode="json", exclude={"id"}))
    for unit in site.units:
        if unit.parent is not None:
            g.add_edge(unit.id, unit.parent, key=PARENT_KEY, relation=PARENT)
    for link in site.links:
        attrs = link.model_dump(mode="json", exclude={"id", "source", "target"})
        g.add_edge(link.source, link.target, key=link.id, relation=LINK, **attrs)
    return g


def from_graph(g: nx.MultiDiGraph) -> Site:
    """Rebuild a site from :func:`to_graph`'s graph (validated as any site is)."""
    data: dict[str, Any] = {k: v for k, v in g.graph.items() if k != "link_order"}
    data["units"] = [{"id": node, **attrs} for node, attrs in g.nodes(data=True)]
    links = []
    for source, target, key, attrs in g.edges(keys=True, data=True):
        if attrs.get("relation") == LINK:
            fields = {k: v for k, v in attrs.items() if k != "relation"}
            links.append({"id": key, "source": source, "target": target, **fields})
    order = {link_id: i for i, link_id in enumerate(g.graph.get("link_order", []))}
    links.sort(key=lambda lk: order.get(lk["id"], len(order)))
    data["links"] = links
    return validate_site(data)


def integration_graph(site: Site) -> nx.MultiGraph:
    """Links only, undirected: who is joined to whom, keyed by link id, with ``level``."""
    g = nx.MultiGraph()
    g.add_nodes_from(u.id for u in site.units)
    for link in site.links:
        g.add_edge(link.source, link.target, key=link.id, level=link.level)
    return g


def parent_tree(site: Site) -> nx.DiGraph:
    """Containment only, from parent to child (a forest)."""
    g = nx.DiGraph()
    g.add_nodes_from(u.id for u in site.units)
    g.add_edges_from((u.parent, u.id) for u in site.units if u.parent is not None)
    return g


def units_of(
    site: Site,
    kind: UnitKind | str | None = None,
    org_type: OrgType | str | None = None,
    sector: Sector | str | None = None,
    function: str | None = None,
) -> list[Unit]:
    """Units matching every criterion given, in site order.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="la", name="Council", kind="organisation", org_type="local_authority"),
    ...     Unit(id="mh", name="MH team", kind="team", sectors=["mental_health"], functions=["Psychosis"])])
    >>> [u.id for u in units_of(site, org_type="local_authority")]
    ['la']
    >>> [u.id for u in units_of(site, kind="team", function="psychosis")]
    ['mh']
    """
    wanted_function = function.casefold() if function else None
    out = []
    for unit in site.units:
        if kind is not None and unit.kind != kind:
            continue
        if org_type is not None and unit.org_type != org_type:
            continue
        if sector is not None and sector not in unit.sectors:
            continue
        if wanted_function is not None and wanted_function not in {f.casefold() for f in unit.functions}:
            continue
        out.append(unit)
    return out


def descendants(site: Site, unit_id: str, kind: UnitKind | str | None = None) -> list[Unit]:
    """Units below ``unit_id`` in the parent tree (optionally of one kind), breadth first."""
    units = [site.unit(uid) for uid in site.descendants(unit_id)]
    return [u for u in units if kind is None or u.kind == kind]


def links_of(site: Site, unit_ids: Iterable[str]) -> list[Link]:
    """Links with at least one end among ``unit_ids``."""
    wanted = set(unit_ids)
    return [lk for lk in site.links if lk.source in wanted or lk.target in wanted]


def cross_organisation_links(site: Site) -> list[Link]:
    """Links whose two ends sit in different organisations.

    A unit with no organisation above it (a PCN, a practice) counts as outside
    every organisation, so a link between a trust team and a PCN crosses, and
    so does one between two PCNs.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="trust", name="Trust", kind="organisation"),
    ...     Unit(id="a", name="A", kind="team", parent="trust"),
    ...     Unit(id="b", name="B", kind="team", parent="trust"),
    ...     Unit(id="pcn", name="PCN", kind="pcn")],
    ...     links=[Link(id="in", source="a", target="b", level="fully_merged"),
    ...            Link(id="out", source="a", target="pcn", level="interface")])
    >>> [lk.id for lk in cross_organisation_links(site)]
    ['out']
    """
    out = []
    for link in site.links:
        a, b = site.organisation_of(link.source), site.organisation_of(link.target)
        if a is None or b is None or a != b:
            out.append(link)
    return out
