"""GraphML and GEXF exports validate against the published schemas (tests/fixtures/schemas/README.md).

Checked for every example site and for the demo built from the test fixture's
made-up ICB, and for generated sites with awkward ids (a link id that reads
like a containment edge's).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

# lxml is a test-only dependency: the library writes XML with the standard library.
from lxml import etree

from conftest import FIXTURES, model_files
from integramap.demo import DEMOS, REFERENCE_DATA_ENV, Demo, build_demo, find_demo_files
from integramap.io import read_site
from integramap.io.export_graph import write_gexf, write_graphml
from integramap.model import Site, validate_site
from site_strategies import sites

SCHEMAS = FIXTURES / "schemas"


@cache
def schema(name: str) -> etree.XMLSchema:
    path = {"graphml": SCHEMAS / "graphml-1.0" / "graphml.xsd",
            "gexf": SCHEMAS / "gexf-1.2draft" / "gexf.xsd"}[name]
    return etree.XMLSchema(etree.parse(str(path)))


WRITERS: dict[str, Callable[[Site, Path], Path]] = {"graphml": write_graphml, "gexf": write_gexf}


def assert_valid(kind: str, site: Site, folder: Path) -> None:
    path = WRITERS[kind](site, folder / f"site.{kind}")
    xsd = schema(kind)
    valid = xsd.validate(etree.parse(str(path)))
    assert valid, "\n".join(str(e) for e in list(xsd.error_log)[:5])


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_example_sites_validate(kind: str, path: Path, tmp_path: Path) -> None:
    assert_valid(kind, read_site(path), tmp_path)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_the_demo_validates(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEMOS, "vale", Demo(name="vale", title="Vale", icb="QZZ",
                                           lad_codes=("E09000901", "E09000902"), description="Test ICB."))
    monkeypatch.delenv(REFERENCE_DATA_ENV, raising=False)
    site = build_demo("vale", find_demo_files(FIXTURES / "demo", demo="vale"), today=date(2026, 1, 31))
    assert site.metadata and not site.links
    assert_valid(kind, site, tmp_path)


def test_a_link_id_shaped_like_a_containment_edge_stays_unique(tmp_path: Path) -> None:
    site = validate_site({"id": "s", "name": "S <&> \"quoted\"", "units": [
        {"id": "o", "name": "O", "kind": "organisation"},
        {"id": "t", "name": "T", "kind": "team", "parent": "o"}, {"id": "u", "name": "U", "kind": "team"}],
        "links": [{"id": "t.parent", "source": "t", "target": "u", "level": "interface"}]})
    for kind in WRITERS:
        assert_valid(kind, site, tmp_path)


def test_gexf_keeps_the_site_name_in_its_meta(tmp_path: Path) -> None:
    site = validate_site({"id": "s-1", "name": "Vale & Hill", "units": [{"id": "a", "name": "A", "kind": "team"}]})
    root = etree.parse(str(write_gexf(site, tmp_path / "s.gexf"))).getroot()
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert root.findtext("g:meta/g:description", namespaces=ns) == "Vale & Hill"
    assert root.findtext("g:meta/g:keywords", namespaces=ns) == "s-1"
    assert root.find("g:graph", ns).get("name") is None


def test_graphml_declares_every_attribute_with_a_type(tmp_path: Path) -> None:
    root = etree.parse(str(write_graphml(read_site(model_files()[0]), tmp_path / "s.graphml"))).getroot()
    keys = root.findall("{http://graphml.graphdrawing.org/xmlns}key")
    assert keys and all(k.get("attr.type") in {"string", "long", "double", "int", "boolean", "float"} for k in keys)
    assert {k.get("attr.name"): k.get("attr.type") for k in keys}["level_rank"] == "long"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site=sites())
def test_generated_sites_validate(site: Site, tmp_path: Path) -> None:
    for kind in WRITERS:
        assert_valid(kind, site, tmp_path)
