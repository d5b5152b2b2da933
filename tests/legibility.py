"""What a manager sees on the Map page, read from the live Cytoscape instance in the browser.

Browser tests and ``bench/web_paint.py`` use :func:`measure` to check the opening view is
legible: every shown label at least 10 px high on screen, few labels colliding, no two unit
bodies on top of each other and no two unrelated boxes overlapping.

Link labels (a target link's level written along it, a link's level while the pointer is on it)
are measured too, as Cytoscape draws them: its own renderer says whether a label is drawn at the
current zoom, and a drawn one must be as large as the units' names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIN_LABEL_PX = 10.0
"""The smallest label a manager can read at arm's length, in screen pixels."""

MAX_COLLIDING = 0.05
"""Most labels (as a share of those shown) that may touch another label."""

MEASURE_JS = """
var el = document.getElementById(arguments[0]);
var reg = el && (el._cyreg || (el.firstChild && el.firstChild._cyreg));
if (!reg) { return null; }
var cy = reg.cy, zoom = cy.zoom(), ext = cy.extent();
function inView(b) { return b.x2 > ext.x1 && b.x1 < ext.x2 && b.y2 > ext.y1 && b.y1 < ext.y2; }
function overlap(a, b, gap) {
  return a.x1 + gap < b.x2 && b.x1 + gap < a.x2 && a.y1 + gap < b.y2 && b.y1 + gap < a.y2;
}
var labels = [], bodies = [], boxes = [];
cy.nodes().forEach(function (n) {
  if (!n.visible()) { return; }
  var body = n.boundingBox({includeLabels: false, includeOverlays: false});
  if (!inView(body)) { return; }
  var text = n.style('label');
  var px = parseFloat(n.style('font-size')) * zoom;
  var hidden = px < parseFloat(n.style('min-zoomed-font-size') || 0) || parseFloat(n.style('text-opacity')) === 0;
  if (text && !hidden) {
    var lb = n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true,
                            includeOverlays: false});
    labels.push({id: n.id(), px: px, box: lb, hidden: false});
  } else if (text) {
    labels.push({id: n.id(), px: px, box: null, hidden: true});
  }
  if (n.isParent()) {
    boxes.push({id: n.id(), box: body, family: n.ancestors().map(function (a) { return a.id(); })});
  } else {
    bodies.push({id: n.id(), box: body});
  }
});
var linkLabels = [], renderer = cy.renderer();
cy.edges().forEach(function (e) {
  if (!e.visible() || !(e.style('label') || e.data('label'))) { return; }
  if (!inView(e.boundingBox({includeLabels: false, includeOverlays: false}))) { return; }
  var drawn = !!e.style('label') && parseFloat(e.style('text-opacity')) > 0 && renderer.eleTextBiggerThanMin(e);
  linkLabels.push({id: e.id(), px: parseFloat(e.style('font-size')) * zoom, drawn: drawn});
});
var drawnLinks = linkLabels.filter(function (l) { return l.drawn; });
var colliding = {}, i, j;
var shown = labels.filter(function (l) { return l.box; });
for (i = 0; i < shown.length; i++) {
  for (j = i + 1; j < shown.length; j++) {
    if (overlap(shown[i].box, shown[j].box, 1 / zoom)) { colliding[shown[i].id] = 1; colliding[shown[j].id] = 1; }
  }
}
var bodyPairs = [];
for (i = 0; i < bodies.length; i++) {
  for (j = i + 1; j < bodies.length; j++) {
    if (overlap(bodies[i].box, bodies[j].box, 0)) { bodyPairs.push([bodies[i].id, bodies[j].id]); }
  }
}
var boxPairs = [];
for (i = 0; i < boxes.length; i++) {
  for (j = i + 1; j < boxes.length; j++) {
    var related = boxes[i].family.indexOf(boxes[j].id) >= 0 || boxes[j].family.indexOf(boxes[i].id) >= 0;
    if (!related && overlap(boxes[i].box, boxes[j].box, 0)) { boxPairs.push([boxes[i].id, boxes[j].id]); }
  }
}
return {zoom: zoom, nodes: cy.nodes().length, inView: bodies.length + boxes.length,
        labels: labels.length, hiddenLabels: labels.filter(function (l) { return l.hidden; }).length,
        minPx: shown.length ? Math.min.apply(null, shown.map(function (l) { return l.px; })) : null,
        colliding: Object.keys(colliding).length, bodyOverlaps: bodyPairs, boxOverlaps: boxPairs,
        linkLabels: drawnLinks.length, hiddenLinkLabels: linkLabels.length - drawnLinks.length,
        linkMinPx: drawnLinks.length ? Math.min.apply(null, drawnLinks.map(function (l) { return l.px; })) : null,
        width: cy.width(), height: cy.height()};
"""


@dataclass
class Legibility:
    """The opening view's legibility figures, as the browser draws it."""

    zoom: float
    nodes: int
    in_view: int
    labels: int
    hidden_labels: int
    min_px: float | None
    colliding: int
    body_overlaps: list[list[str]]
    box_overlaps: list[list[str]]
    width: float
    height: float
    link_labels: int = 0
    """Link labels drawn (a target link's level, a hovered link's level)."""
    hidden_link_labels: int = 0
    """Labels links carry that are not drawn now (too small at this zoom, or shown only under the pointer)."""
    link_min_px: float | None = None

    @property
    def colliding_share(self) -> float:
        return self.colliding / self.labels if self.labels else 0.0

    def problems(self) -> list[str]:
        """What falls short of the legibility rules, in words (empty when the view is legible)."""
        out: list[str] = []
        if self.hidden_labels:
            out.append(f"{self.hidden_labels} of {self.labels} labels too small to be drawn")
        if self.min_px is not None and self.min_px < MIN_LABEL_PX:
            out.append(f"smallest label {self.min_px:.1f} px")
        if self.link_min_px is not None and self.link_min_px < MIN_LABEL_PX:
            out.append(f"smallest link label {self.link_min_px:.1f} px")
        if self.colliding_share > MAX_COLLIDING:
            out.append(f"{self.colliding} of {self.labels} labels collide")
        if self.body_overlaps:
            out.append(f"{len(self.body_overlaps)} pairs of units overlap, e.g. {self.body_overlaps[:3]}")
        if self.box_overlaps:
            out.append(f"{len(self.box_overlaps)} pairs of boxes overlap, e.g. {self.box_overlaps[:3]}")
        return out

    def summary(self) -> str:
        return (f"{self.in_view} of {self.nodes} nodes in view at zoom {self.zoom:.2f}; smallest label "
                f"{self.min_px or 0:.1f} px; {self.colliding}/{self.labels} labels colliding; "
                f"{len(self.body_overlaps)} unit overlaps; {len(self.box_overlaps)} box overlaps; "
                f"{self.link_labels} link labels drawn (smallest {self.link_min_px or 0:.1f} px), "
                f"{self.hidden_link_labels} hidden")


def measure(driver: Any, cy_id: str) -> Legibility | None:
    """The legibility of what the map with this element id shows now (``None`` before it mounts)."""
    raw = driver.execute_script(MEASURE_JS, cy_id)
    if raw is None:
        return None
    return Legibility(zoom=raw["zoom"], nodes=raw["nodes"], in_view=raw["inView"], labels=raw["labels"],
                      hidden_labels=raw["hiddenLabels"], min_px=raw["minPx"], colliding=raw["colliding"],
                      body_overlaps=raw["bodyOverlaps"], box_overlaps=raw["boxOverlaps"],
                      width=raw["width"], height=raw["height"], link_labels=raw["linkLabels"],
                      hidden_link_labels=raw["hiddenLinkLabels"], link_min_px=raw["linkMinPx"])
