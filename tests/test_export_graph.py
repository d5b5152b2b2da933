"""The graph to GraphML, GEXF and CSV: re-read, flat attributes, formula-safe cells."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
from networkx.algorithms.isomorphism import categorical_multiedge_match, categorical_node_match

from conftest import FIXTURES, model_files
from integramap.graph import to_graph
from integramap.io import read_site
from integramap.io.export_graph import (
    LINK_COLUMNS,
    UNIT_COLUMNS,
    edge_ids,
    export_graph,
    write_csv_tables,
    write_gexf,
    write_graphml,
)
from integramap.io.table import import_table
from integramap.model import Site, SiteError, validate_site


@pytest.fixture(scope="module")
def borough() -> Site:
    return read_site(FIXTURES / "typology_borough.yaml")


def test_graphml_rereads_into_an_isomorphic_graph(borough: Site, tmp_path: Path) -> None:
    path = write_graphml(borough, tmp_path / "site.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    original = export_graph(borough)
    assert nx.is_isomorphic(original, back,
                            node_match=categorical_node_match(["label", "kind", "sectors"], [None] * 3),
                            edge_match=categorical_multiedge_match(["relation", "level"], [None, None]))
    assert set(back.nodes) == set(original.nodes)
    ids = edge_ids(borough)
    assert sorted(back.edges(keys=True)) == sorted((s, t, ids[(s, t, k)]) for s, t, k in original.edges(keys=True))
    assert back.nodes["council"]["footprint"] == "a1:1; a2:1; a3:1; a4:1"
    assert back.edges["mh-north", "asc-north", "l-mh-asc"]["facets_it"] == "separate"
    assert back.edges["mh-north", "asc-north", "l-mh-asc"]["level_rank"] == 3
    assert back.graph["site_id"] == "small-borough"


def test_graph_has_the_same_structure_as_the_site_graph(borough: Site) -> None:
    ours, theirs = export_graph(borough), to_graph(borough)
    assert sorted(ours.edges(keys=True)) == sorted(theirs.edges(keys=True))


def test_every_attribute_is_flat(borough: Site) -> None:
    g = export_graph(borough)
    values = [v for _, attrs in g.nodes(data=True) for v in attrs.values()]
    values += [v for *_, attrs in g.edges(keys=True, data=True) for v in attrs.values()]
    assert values and all(isinstance(v, (str, int, float)) for v in values)


def test_gexf_rereads_with_labels_and_link_ids(borough: Site, tmp_path: Path) -> None:
    path = write_gexf(borough, tmp_path / "site.gexf")
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == len(borough.units)
    assert back.number_of_edges() == len(borough.links) + sum(1 for u in borough.units if u.parent)
    assert back.nodes["asc-north"]["label"] == "North Adult Social Care"
    assert back.edges["dn-north", "asc-north"]["id"] == "l-merged"
    assert back.edges["gp1", "pcn-n"]["id"] == "gp1.parent"
    assert "name" not in back.graph


def test_parallel_links_survive_graphml(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S",
                          "units": [{"id": "a", "name": "A", "kind": "team"}, {"id": "b", "name": "B", "kind": "team"}],
                          "links": [{"id": "l1", "source": "a", "target": "b", "level": "interface"},
                                    {"id": "l2", "source": "a", "target": "b", "level": "co_located"}]})
    back = nx.read_graphml(write_graphml(site, tmp_path / "p.graphml"))
    assert sorted(back.edges(keys=True)) == [("a", "b", "l1"), ("a", "b", "l2")]


def test_control_characters_never_reach_the_xml(tmp_path: Path) -> None:
    # XML cannot hold them: the site refuses them, so no export has to drop them without a word.
    with pytest.raises(SiteError) as caught:
        validate_site({"id": "s", "name": "S\x01",
                       "units": [{"id": "a", "name": "Team\x00 A", "kind": "team", "description": "x\x1fy"}]})
    assert sorted(p.where for p in caught.value.problems) == ["name", "units[0].description", "units[0].name"]
    site = validate_site({"id": "s", "name": "S", "units": [
        {"id": "a", "name": "Team A", "kind": "team", "description": "line one\r\nline\ttwo"}]})
    back = nx.read_graphml(write_graphml(site, tmp_path / "c.graphml"))
    assert back.nodes["a"]["label"] == "Team A"
    assert nx.read_gexf(write_gexf(site, tmp_path / "c.gexf")).nodes["a"]["label"] == "Team A"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_tables_hold_every_unit_and_link(borough: Site, tmp_path: Path) -> None:
    written = write_csv_tables(borough, tmp_path / "out")
    assert [p.name for p in written] == ["units.csv", "links.csv", "areas.csv", "site.csv"]
    units, links = read_csv(written[0]), read_csv(written[1])
    assert list(units[0]) == list(UNIT_COLUMNS) and list(links[0]) == list(LINK_COLUMNS)
    assert [u["id"] for u in units] == [u.id for u in borough.units]
    merged = next(lk for lk in links if lk["id"] == "l-merged")
    assert merged["source_name"] == "North District Nursing"
    assert merged["level"] == "fully_merged" and merged["level_rank"] == "5"
    assert merged["mechanisms"] == "integrated_case_management; shared_training"
    assert merged["finance"] == "pooled_budget" and merged["hr"] == ""


def test_csv_neutralises_formulas_in_user_text(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S", "units": [
        {"id": "a", "name": "=HYPERLINK(\"http://x\")", "kind": "team", "description": "@SUM(1)",
         "functions": ["-psychosis"], "attributes": {"location": "+44 Street", "staff_count": 3,
                                                     "position": {"x": -5, "y": 2}}},
        {"id": "b", "name": "B", "kind": "team"}],
        "links": [{"id": "l", "source": "a", "target": "b", "level": "interface", "notes": "\t=1"}]})
    units_path, links_path, _, _ = write_csv_tables(site, tmp_path)
    row = read_csv(units_path)[0]
    assert row["name"] == "'=HYPERLINK(\"http://x\")"
    assert row["description"] == "'@SUM(1)"
    assert row["functions"] == "'-psychosis"
    assert row["location"] == "'+44 Street"
    assert row["staff_count"] == "3" and row["x"] == "-5.0"  # numbers are numbers, not text
    link = read_csv(links_path)[0]
    assert link["notes"] == "'\t=1" and link["source_name"] == "'=HYPERLINK(\"http://x\")"


def test_csv_refuses_a_file_as_its_folder(borough: Site, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("keep")
    with pytest.raises(NotADirectoryError, match="needs a folder"):
        write_csv_tables(borough, target)
    assert target.read_text() == "keep"


@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_example_sites_export_and_reread(path: Path, tmp_path: Path) -> None:
    site = read_site(path)
    back = nx.read_graphml(write_graphml(site, tmp_path / "m.graphml"), force_multigraph=True)
    assert nx.is_isomorphic(export_graph(site), back,
                            edge_match=categorical_multiedge_match(["relation", "level"], [None, None]))


@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_example_sites_export_to_csv_and_import_back_unchanged(path: Path, tmp_path: Path) -> None:
    site = read_site(path)
    back = import_table(write_csv_tables(site, tmp_path / "tables"))
    assert back.model_dump(exclude={"metadata"}) == site.model_dump(exclude={"metadata"})


def test_csv_round_trip_restores_formula_text_and_exact_weights(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S", "areas": [{"id": "a1", "population": 3}],
                          "units": [
        {"id": "a", "name": "=HYPERLINK(\"http://x\")", "kind": "team", "description": "@SUM(1)",
         "functions": ["-psychosis"], "footprint": {"a1": 1 / 3},
         "attributes": {"location": "+44 Street", "position": {"x": -5.25, "y": 2}}},
        {"id": "b", "name": "'Tis the team", "kind": "team"}],
        "links": [{"id": "l", "source": "a", "target": "b", "level": "interface"}]})
    back = import_table(write_csv_tables(site, tmp_path))
    assert back.model_dump(exclude={"metadata"}) == site.model_dump(exclude={"metadata"})
    assert back.unit("a").footprint["a1"] == 1 / 3
