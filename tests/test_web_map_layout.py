"""Arrange in headless Chromium: the boxes Cytoscape draws from the layout never overlap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until

from integramap.store import Store
from integramap.web import create_app
from integramap.web.map import ids as mid
from integramap.layout.positions import arrange_site

from conftest import MODELS
from test_web_browser import by_id, click, cy_eval, open_map

# Each compound box as drawn (without its name) and the boxes it lies inside; each unit's shape.
BOXES = ("return cy.nodes(':parent').map(function(n){var b = n.boundingBox({includeLabels: false,"
         " includeOverlays: false}); return [n.id(), [b.x1, b.y1, b.x2, b.y2],"
         " n.ancestors().map(function(a){return a.id();})];});")
SHAPES = ("return cy.nodes(':childless').map(function(n){var b = n.boundingBox({includeLabels: false,"
          " includeOverlays: false}); return [n.id(), [b.x1, b.y1, b.x2, b.y2]];});")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = Store(data_dir=Path(tmp_path_factory.mktemp("layout-store")))
    st.seed(MODELS)
    yield st
    st.close()


def overlap(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def test_arrange_on_riverside_draws_no_box_over_an_unrelated_box(dash_duo: Any, store: Store) -> None:
    site = store.get("riverside-borough").site
    dash_duo.start_server(create_app(store))
    open_map(dash_duo, "riverside-borough", nodes=len(site.units))
    # Moved out of the way first, so the test sees Arrange put it back.
    leaf = "dn-west" if "dn-west" in site.units_by_id else next(
        u.id for u in site.units if not site.children_by_id.get(u.id))
    cy_eval(dash_duo, f"var n = cy.getElementById('{leaf}'); n.position({{x: 9999, y: 9999}});"
                      "n.emit('dragfree'); return 1;")
    dash_duo.wait_for_contains_text(f"#{mid.STATUS}", "unsaved", timeout=10)
    click(dash_duo, mid.ARRANGE)
    until(lambda: by_id(dash_duo, mid.UNDO).get_attribute("title") == "Undo arrange the map", timeout=10)
    x, y = arrange_site(site)[leaf]
    until(lambda: cy_eval(dash_duo, f"var p = cy.getElementById('{leaf}').position(); return [p.x, p.y];")
          == [round(x), round(y)], timeout=10)
    boxes = cy_eval(dash_duo, BOXES)
    assert len(boxes) == sum(1 for u in site.units if site.children_by_id.get(u.id))
    piled = [(a, b) for i, (a, ra, up_a) in enumerate(boxes) for b, rb, up_b in boxes[i + 1:]
             if a not in up_b and b not in up_a and overlap(ra, rb)]
    assert piled == [], "boxes drawn over unrelated boxes"
    shapes = cy_eval(dash_duo, SHAPES)
    assert [(a, b) for i, (a, ra) in enumerate(shapes) for b, rb in shapes[i + 1:] if overlap(ra, rb)] == []
