"""The Map page's picture downloads in a browser: PNG from the screen, SVG drawn from the view."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from integramap.store import Store
from integramap.web import create_app
from integramap.web.map.picture import DOWNLOAD_PNG, DOWNLOAD_SVG

from conftest import downloaded
from test_web_browser import click, cy_eval, open_map

SVG = "{http://www.w3.org/2000/svg}"
RIVERSIDE = "riverside-borough"


def test_the_map_downloads_as_png_and_svg(dash_duo: Any, store: Store) -> None:
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, RIVERSIDE)
    folder = dash_duo.download_path

    click(dash_duo, DOWNLOAD_PNG)
    png = downloaded(folder, ".png", timeout=30)
    assert png.name == f"{RIVERSIDE}-map.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # Twice the map's on-screen size: the PNG's width (bytes 16-20 of its header) against the canvas.
    width = int.from_bytes(data[16:20], "big")
    canvas = cy_eval(dash_duo, "return cy.width();")
    assert width >= 2 * canvas - 2

    click(dash_duo, DOWNLOAD_SVG)
    svg = downloaded(folder, ".svg", timeout=30)
    assert svg.name == f"{RIVERSIDE}-map.svg"
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    units = root.findall(f".//{SVG}g[@class='unit']")
    # One drawing per unit on screen that is not a box (the page fits the whole map on opening).
    leaves = cy_eval(dash_duo, "return cy.nodes().filter(function (n) { return !n.isParent()"
                               " && n.visible(); }).length;")
    assert len(units) == leaves
    assert root.findall(f".//{SVG}g[@class='box']"), "organisation boxes are drawn"

    # Zoomed in on one unit, the SVG holds what is in view, not the whole map; a unit dragged
    # a moment ago is drawn where it now is.
    svg.unlink()
    moved = cy_eval(dash_duo, "var n = cy.nodes().filter(function (n) { return !n.isParent(); })[0];"
                              "n.position({x: n.position('x') + 40, y: n.position('y')});"
                              "cy.zoom(3); cy.center(n); return n.id();")
    click(dash_duo, DOWNLOAD_SVG)
    zoomed = ET.fromstring(downloaded(folder, ".svg", timeout=30).read_text(encoding="utf-8"))
    shown = [g.get("data-id") for g in zoomed.findall(f".//{SVG}g[@class='unit']")]
    assert moved in shown and 0 < len(shown) < leaves
    now = cy_eval(dash_duo, f"return cy.getElementById('{moved}').position('x');")
    assert abs(centre_x(zoomed, moved) - now) < 1


def centre_x(root: ET.Element, unit_id: str) -> float:
    """Where a unit's shape is drawn across the SVG (ellipse, polygon or box)."""
    group = next(g for g in root.findall(f".//{SVG}g[@class='unit']") if g.get("data-id") == unit_id)
    shape = group[0]
    if shape.tag == f"{SVG}ellipse":
        return float(shape.get("cx", 0))
    if shape.tag == f"{SVG}polygon":
        xs = [float(p.split(",")[0]) for p in shape.get("points", "").split()]
        return (min(xs) + max(xs)) / 2
    return float(shape.get("x", 0)) + float(shape.get("width", 0)) / 2
