"""A site's graph for other tools: GraphML (yEd, Cytoscape), GEXF (Gephi) and CSV tables.

Graph tools read flat attributes only, so every list becomes ``a; b`` text,
every nested field (facets, unit attributes) its own ``facets_it``-style
attribute, and missing values are left out rather than written as "None".
Units are nodes labelled with their names; integration links are edges with
``relation="link"`` keyed by link id, and containment is an edge from child to
parent with ``relation="parent"``, as in :func:`integramap.graph.to_graph`.

Both files validate against their published schemas (GraphML 1.0, GEXF
1.2draft): every edge has its own id (a link's id; ``<child>.parent`` for
containment) and the site's name travels in GEXF's ``<meta>``, since GEXF's
``<graph>`` element has no name.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from ..graph import LINK, PARENT, PARENT_KEY
from ..model import Area, Link, Site, Unit
from .csv_safe import csv_text
from .safe_text import xml_text
from .sitefile import write_text_atomic

UNIT_COLUMNS = ("id", "name", "kind", "org_type", "sectors", "parent", "basis", "age_groups",
                "population_types", "functions", "employer", "it_system", "location", "staff_count",
                "code", "x", "y", "footprint", "description")
LINK_COLUMNS = ("id", "source", "source_name", "target", "target_name", "level", "level_rank",
                "target_level", "governance", "finance", "management", "hr", "it", "estates", "clinical",
                "mechanisms", "notes")
AREA_COLUMNS = ("id", "name", "population", "codes", "geometry")


def _joined(values: Iterable[object]) -> str:
    return "; ".join(str(v) for v in values)


def _number(value: float) -> str:
    # repr is the shortest text that reads back as the same float; "g" would cut 1/3 to 0.333333.
    return str(int(value)) if value.is_integer() else repr(value)


def unit_record(unit: Unit) -> dict[str, Any]:
    """A unit's fields as flat values (text, int or float), ``None`` where not recorded.

    Examples
    --------
    >>> from integramap.model import Unit
    >>> r = unit_record(Unit(id="t", name="Team", kind="team", sectors=["mental_health", "social_care"],
    ...                      footprint={"a1": 1, "a2": 0.5}))
    >>> r["sectors"], r["footprint"], r["org_type"]
    ('mental_health; social_care', 'a1:1; a2:0.5', None)
    """
    attrs = unit.attributes
    pos = attrs.position
    return {
        "id": unit.id, "name": unit.name, "kind": str(unit.kind),
        "org_type": None if unit.org_type is None else str(unit.org_type),
        "sectors": _joined(unit.sectors) or None, "parent": unit.parent,
        "basis": None if unit.basis is None else str(unit.basis),
        "age_groups": _joined(unit.age_groups) or None,
        "population_types": _joined(unit.population_types) or None,
        "functions": _joined(unit.functions) or None,
        "employer": attrs.employer, "it_system": attrs.it_system, "location": attrs.location,
        "staff_count": attrs.staff_count, "code": attrs.code,
        "x": None if pos is None else pos.x, "y": None if pos is None else pos.y,
        "footprint": _joined(f"{area}:{_number(weight)}" for area, weight in unit.footprint.items()) or None,
        "description": unit.description or None,
    }


def link_record(site: Site, link: Link) -> dict[str, Any]:
    """A link's fields as flat values, with the names of the units it joins."""
    record: dict[str, Any] = {
        "id": link.id, "source": link.source, "source_name": site.unit(link.source).name,
        "target": link.target, "target_name": site.unit(link.target).name,
        "level": str(link.level), "level_rank": link.level.rank,
        "target_level": None if link.target_level is None else str(link.target_level),
    }
    for facet, value in link.facets:
        record[facet] = None if value is None else str(value)
    record["mechanisms"] = _joined(link.mechanisms) or None
    record["notes"] = link.notes or None
    return record


def export_graph(site: Site) -> nx.MultiDiGraph:
    """The site as a graph with flat, XML-safe attributes, ready for GraphML or GEXF.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team"),
    ...     Unit(id="b", name="B", kind="team")],
    ...     links=[Link(id="l1", source="a", target="b", level="co_located", facets={"it": "separate"})])
    >>> g = export_graph(site)
    >>> g.nodes["a"]["label"], g.edges["a", "b", "l1"]["facets_it"]
    ('A', 'separate')
    """
    g = nx.MultiDiGraph(name=xml_text(site.name), site_id=site.id)
    for unit in site.units:
        record = unit_record(unit)
        record["label"] = record.pop("name")
        del record["id"]
        g.add_node(unit.id, **_clean(record))
    for unit in site.units:
        if unit.parent is not None:
            g.add_edge(unit.id, unit.parent, key=PARENT_KEY, relation=PARENT)
    for link in site.links:
        record = link_record(site, link)
        for name in ("id", "source", "target", "source_name", "target_name"):
            del record[name]
        for facet in ("governance", "finance", "management", "hr", "it", "estates", "clinical"):
            record[f"facets_{facet}"] = record.pop(facet)
        g.add_edge(link.source, link.target, key=link.id, relation=LINK, **_clean(record))
    return g


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {k: xml_text(v) if isinstance(v, str) else v for k, v in record.items() if v is not None}


def edge_ids(site: Site) -> dict[tuple[str, str, str], str]:
    """Each edge's id in the files: a link's own id, ``<child>.parent`` for containment.

    GraphML requires edge ids unique within a graph and of XML name characters, so
    containment edges cannot all be called ``parent``; a site whose link ids already
    use ``<child>.parent`` gets a further ``.parent`` added until the id is free.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Link
    >>> site = Site(id="s", name="S", units=[Unit(id="o", name="O", kind="organisation"),
    ...     Unit(id="t", name="T", kind="team", parent="o"), Unit(id="u", name="U", kind="team")],
    ...     links=[Link(id="t.parent", source="t", target="u", level="interface")])
    >>> sorted(edge_ids(site).values())
    ['t.parent', 't.parent.parent']
    """
    ids = {(link.source, link.target, link.id): link.id for link in site.links}
    taken = set(ids.values())
    for unit in site.units:
        if unit.parent is None:
            continue
        edge_id = f"{unit.id}.parent"
        while edge_id in taken:
            edge_id += ".parent"
        taken.add(edge_id)
        ids[(unit.id, unit.parent, PARENT_KEY)] = edge_id
    return ids


def _with_edge_ids(site: Site) -> nx.MultiDiGraph:
    g = export_graph(site)
    ids = edge_ids(site)
    for source, target, key, attrs in g.edges(keys=True, data=True):
        attrs["id"] = ids[(source, target, key)]
    return g


def write_graphml(site: Site, path: str | Path) -> Path:
    """Write the site's graph as GraphML (yEd, Cytoscape, Gephi), atomically.

    Every attribute is declared with its type (``attr.type``) and every edge has a
    unique id (:func:`edge_ids`), as the GraphML 1.0 schema requires.
    """
    out = io.BytesIO()
    nx.write_graphml(_with_edge_ids(site), out, encoding="utf-8", prettyprint=True,
                     edge_id_from_attribute="id")
    return write_text_atomic(path, out.getvalue())


GEXF_NS = "http://www.gexf.net/1.2draft"


def write_gexf(site: Site, path: str | Path) -> Path:
    """Write the site's graph as GEXF 1.2 (Gephi), atomically; edge ids as in :func:`edge_ids`.

    The site's name goes into ``<meta><description>`` and its id into
    ``<meta><keywords>``: GEXF's ``<graph>`` element has no name attribute.
    """
    g = _with_edge_ids(site)
    out = io.BytesIO()
    nx.write_gexf(g, out, encoding="utf-8", prettyprint=True)
    return write_text_atomic(path, _gexf_meta(out.getvalue(), xml_text(site.name), site.id))


def _gexf_meta(document: bytes, name: str, site_id: str) -> bytes:
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.fromstring(document)
    graph = root.find(f"{{{GEXF_NS}}}graph")
    meta = root.find(f"{{{GEXF_NS}}}meta")
    if graph is None or meta is None:  # networkx always writes both
        raise ValueError("GEXF writer produced no <graph> or <meta> element")
    graph.attrib.pop("name", None)
    # The schema orders meta's children freely but allows each once; creator comes first.
    ET.SubElement(meta, f"{{{GEXF_NS}}}keywords").text = site_id
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = name
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def area_record(area: Area) -> dict[str, Any]:
    """An area's fields as flat values, its parent codes as ``lad=E09000022; ward=E05014119``."""
    return {"id": area.id, "name": area.name or None, "population": area.population,
            "codes": "; ".join(f"{k}={v}" for k, v in area.codes.items()) or None,
            "geometry": area.geometry}


def site_rows(site: Site) -> list[dict[str, Any]]:
    """The site's own fields as ``field, value`` rows, as the spreadsheet template's site table."""
    rows: list[dict[str, Any]] = [{"field": "id", "value": site.id}, {"field": "name", "value": site.name},
            {"field": "description", "value": site.description or None}]
    rows += [{"field": f"source_{name}", "value": value or None} for name, value in site.source]
    # Metadata (import summaries, overlays, provenance) is nested: one JSON cell carries it exactly.
    rows.append({"field": "metadata",
                 "value": json.dumps(site.metadata, ensure_ascii=False) if site.metadata else None})
    return rows


def write_csv_tables(site: Site, folder: str | Path) -> list[Path]:
    """Write ``units.csv``, ``links.csv``, ``areas.csv`` and ``site.csv`` into a folder.

    The tables are those of the spreadsheet template plus read-only columns
    (the names at each end of a link, the level's rank), so the folder opens
    in a spreadsheet and also imports back with ``integramap import table``.
    All four are built before any is written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file; CSV export needs a folder for units.csv and links.csv")
    tables = {
        "units.csv": csv_text(UNIT_COLUMNS, (unit_record(u) for u in site.units)),
        "links.csv": csv_text(LINK_COLUMNS, (link_record(site, lk) for lk in site.links)),
        "areas.csv": csv_text(AREA_COLUMNS, (area_record(a) for a in site.areas)),
        "site.csv": csv_text(("field", "value"), site_rows(site)),
    }
    # utf-8-sig: Excel reads a BOM-less UTF-8 CSV as the local code page and garbles names.
    return [write_text_atomic(folder / name, text.encode("utf-8-sig")) for name, text in tables.items()]
