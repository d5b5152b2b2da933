"""Site ↔ networkx graph, and the shared graph queries."""

from __future__ import annotations

import networkx as nx
import pytest

from integramap.graph import (
    LINK,
    PARENT,
    cross_organisation_links,
    descendants,
    from_graph,
    integration_graph,
    links_of,
    parent_tree,
    to_graph,
    units_of,
)
from integramap.model import Level, Site, SiteError, validate_site

from test_model import base


@pytest.fixture
def site() -> Site:
    data = base()
    data["units"] += [
        {"id": "pcn1", "name": "North PCN", "kind": "pcn", "sectors": ["primary_care"]},
        {"id": "p1", "name": "Practice 1", "kind": "practice", "parent": "pcn1"},
        {"id": "psychosis", "name": "Early intervention", "kind": "team", "parent": "trust",
         "functions": ["Psychosis"], "sectors": ["mental_health"]},
    ]
    data["links"] += [
        {"id": "l2", "source": "cmht", "target": "psychosis", "level": "fully_merged"},
        {"id": "l3", "source": "pcn1", "target": "cmht", "level": "interface",
         "mechanisms": ["interface_meeting"]},
        {"id": "l4", "source": "pcn1", "target": "cmht", "level": "closer_working"},
    ]
    return validate_site(data)


def test_graph_round_trip_is_exact(site: Site) -> None:
    g = to_graph(site)
    assert from_graph(g) == site
    shuffled = site.replace(links=[lk.model_dump() for lk in reversed(site.links)])
    assert from_graph(to_graph(shuffled)) == shuffled


def test_nodes_and_edges_carry_fields(site: Site) -> None:
    g = to_graph(site)
    assert g.nodes["cmht"]["kind"] == "team" and g.nodes["cmht"]["footprint"] == {"A1": 1.0, "A2": 0.5}
    assert g.graph["id"] == "demo" and len(g.graph["areas"]) == 2
    assert g.edges["cmht", "trust", "parent"]["relation"] == PARENT
    link = g.edges["cmht", "asc", "l1"]
    assert link["relation"] == LINK and link["level"] == "pooled_management"
    assert link["target_level"] == "fully_merged" and link["facets"]["it"] == "separate"


def test_parallel_links_are_kept_apart(site: Site) -> None:
    g = to_graph(site)
    assert set(g["pcn1"]["cmht"]) == {"l3", "l4"}
    ig = integration_graph(site)
    assert ig.number_of_edges("cmht", "pcn1") == 2
    assert ig.edges["cmht", "pcn1", "l4"]["level"] is Level.CLOSER_WORKING
    assert not ig.has_edge("cmht", "trust")  # containment is not integration


def test_parent_tree_is_a_forest(site: Site) -> None:
    tree = parent_tree(site)
    assert nx.is_forest(tree)
    assert set(tree.successors("trust")) == {"cmht", "psychosis"}


def test_from_graph_validates(site: Site) -> None:
    g = to_graph(site)
    g.add_edge("cmht", "psychosis", key="bad", relation=LINK, level="telepathic")
    with pytest.raises(SiteError, match=r"links\[4\]\.level: 'telepathic' is not allowed"):
        from_graph(g)
    g.remove_edge("cmht", "psychosis", key="bad")
    g.add_edge("cmht", "nobody", key="bad", relation=LINK, level="interface")  # networkx adds a bare node
    with pytest.raises(SiteError, match=r"units\[7\]\.kind: required field is missing"):
        from_graph(g)


def test_units_of_filters(site: Site) -> None:
    assert [u.id for u in units_of(site, kind="organisation")] == ["trust", "council"]
    assert [u.id for u in units_of(site, org_type="local_authority")] == ["council"]
    assert [u.id for u in units_of(site, kind="team", sector="mental_health")] == ["cmht", "psychosis"]
    assert [u.id for u in units_of(site, function="psychosis")] == ["psychosis"]
    assert units_of(site, kind="hub") == []


def test_descendants_and_links_of(site: Site) -> None:
    assert [u.id for u in descendants(site, "trust")] == ["cmht", "psychosis"]
    assert [u.id for u in descendants(site, "pcn1", kind="practice")] == ["p1"]
    assert [lk.id for lk in links_of(site, ["pcn1"])] == ["l3", "l4"]


def test_cross_organisation_links(site: Site) -> None:
    # l1 joins two organisations, l2 stays inside the trust, l3/l4 reach a PCN outside any organisation.
    assert [lk.id for lk in cross_organisation_links(site)] == ["l1", "l3", "l4"]
