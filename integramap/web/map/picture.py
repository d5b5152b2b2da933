"""The Map page's picture downloads: the view on screen as PNG or SVG.

PNG is the browser's own image of the map (Cytoscape's ``png`` through dash-cytoscape's
``generateImage``): exactly what is on screen, the current zoom and pan, at twice the screen's
resolution so it stays sharp on a slide. SVG is drawn on the server by
:mod:`integramap.io.map_picture` (Cytoscape's own SVG export needs a plug-in only in
dash-cytoscape's larger script bundle, which every visit to the map would pay for) from what the
browser's map holds at the click: its elements where they are now (after any drag), with the
boxes, filters and collapsed groups as on screen, cut to the area in view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from integramap.io.map_picture import drawing_from_elements, drawing_to_svg
from integramap.web.common.inputs import CallbackInputs, Clicks, Store, typed_callback
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from integramap.web.map.working import draft_of

DOWNLOAD_PNG = "map-download-png"
DOWNLOAD_SVG = "map-download-svg"
PICTURE_DOWNLOAD = "map-picture-download"
PICTURE_VIEW = "map-picture-view"
"""What the browser's map shows at an SVG click: its visible elements and the extent in view."""

# Read from Cytoscape itself rather than the elements the server last sent: a dragged unit has
# moved since, and the extent is the zoom and pan of this moment.
VIEW_SCRIPT = """
function (clicks) {
    var none = window.dash_clientside.no_update;
    var el = document.getElementById('%s');
    var reg = el && (el._cyreg || (el.firstChild && el.firstChild._cyreg));
    if (!clicks || !reg) { return none; }
    var cy = reg.cy, ext = cy.extent();
    var elements = cy.elements().filter(function (e) { return e.visible(); }).map(function (e) {
        var j = e.json(), out = {data: j.data, classes: j.classes || ''};
        if (e.isNode()) { out.position = e.position(); }
        return out;
    });
    return {elements: elements, extent: {x1: ext.x1, y1: ext.y1, x2: ext.x2, y2: ext.y2}, clicks: clicks};
}
""" % mid.CY
PNG_SCALE = 2


def buttons() -> list[Any]:
    """The toolbar's download buttons and the download they feed."""
    return [html.Button("Download PNG", id=DOWNLOAD_PNG, className="button",
                        title="Save the map as it is on screen as a picture (PNG)"),
            html.Button("Download SVG", id=DOWNLOAD_SVG, className="button",
                        title="Save the map as it is on screen as a drawing that stays sharp at any size (SVG)"),
            dcc.Download(id=PICTURE_DOWNLOAD), dcc.Store(id=PICTURE_VIEW)]


def file_stem(site_id: str | None) -> str:
    """``<site-id>-map``, keeping only characters every file system accepts.

    Examples
    --------
    >>> file_stem("riverside-borough"), file_stem(None), file_stem("a/b c")
    ('riverside-borough-map', 'map', 'a-b-c-map')
    """
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", site_id or "").strip("-.")
    return f"{safe}-map" if safe else "map"


def in_view(elements: Sequence[Mapping[str, Any]], extent: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The elements whose units lie in the visible extent (every one when it is unknown).

    A box is kept while any unit it holds is in view; links are kept and dropped later with
    their ends.

    Examples
    --------
    >>> els = [{"data": {"id": "a"}, "position": {"x": 0, "y": 0}},
    ...        {"data": {"id": "b"}, "position": {"x": 900, "y": 0}}]
    >>> [e["data"]["id"] for e in in_view(els, {"x1": -50, "y1": -50, "x2": 50, "y2": 50})]
    ['a']
    """
    if not extent or not all(k in extent for k in ("x1", "y1", "x2", "y2")):
        return list(elements)
    x1, y1, x2, y2 = (float(extent[k]) for k in ("x1", "y1", "x2", "y2"))
    visible: set[str] = set()
    parents = {str(data["id"]): str(data["parent"]) for e in elements
               if "source" not in (data := e.get("data") or {}) and data.get("parent")}
    boxes = set(parents.values())
    for e in elements:
        data = e.get("data") or {}
        if "source" in data or str(data.get("id")) in boxes:  # a box is where its units are
            continue
        pos = e.get("position")
        if pos and x1 <= float(pos.get("x", 0)) <= x2 and y1 <= float(pos.get("y", 0)) <= y2:
            visible.add(str(data.get("id")))
    for uid in list(visible):
        up = parents.get(uid)
        while up is not None and up not in visible:
            visible.add(up)
            up = parents.get(up)
    return [e for e in elements if "source" in (e.get("data") or {}) or str((e.get("data") or {}).get("id")) in visible]


class _Png(CallbackInputs):
    clicks: Clicks
    handle: Store


class _Svg(CallbackInputs):
    view: Store
    handle: Store


def register_callbacks(app: Dash, services: Services) -> None:
    def site_id(handle: dict[str, Any] | None) -> str | None:
        try:
            return str(draft_of(services, handle).site_id)
        except Exception:  # a working copy that has gone still downloads, under a plain name
            return None

    @app.callback(Output(mid.CY, "generateImage"), Input(DOWNLOAD_PNG, "n_clicks"),
                  State(mid.DRAFT, "data"), prevent_initial_call=True)
    @typed_callback(_Png)
    def png(clicks: int | None, handle: dict[str, Any] | None) -> Any:
        if not clicks:
            raise PreventUpdate
        return {"type": "png", "action": "download", "filename": file_stem(site_id(handle)),
                "options": {"full": False, "scale": PNG_SCALE, "bg": "#ffffff"}}

    app.clientside_callback(VIEW_SCRIPT, Output(PICTURE_VIEW, "data"),  # type: ignore[no-untyped-call]
                            Input(DOWNLOAD_SVG, "n_clicks"),
                            prevent_initial_call=True)

    @app.callback(Output(PICTURE_DOWNLOAD, "data"), Input(PICTURE_VIEW, "data"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Svg)
    def svg(view: dict[str, Any] | None, handle: dict[str, Any] | None) -> Any:
        elements = (view or {}).get("elements")
        if not elements:
            raise PreventUpdate
        picture = drawing_to_svg(drawing_from_elements(in_view(elements, (view or {}).get("extent"))))
        return {"content": picture, "filename": f"{file_stem(site_id(handle))}.svg", "type": "image/svg+xml",
                "base64": False}
