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

