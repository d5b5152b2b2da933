"""Map layout: where each unit is drawn, computed from a site alone (no web framework here).

:mod:`integramap.layout.compound` lays a site out box by box so organisations,
directorates and networks never sit on one another; :mod:`integramap.layout.quality`
measures a layout the way the map draws it (unit bodies, compound boxes, crossings);
:mod:`integramap.layout.positions` gives every unit of a site its place, saved or laid out;
:mod:`integramap.layout.sizes` and :mod:`integramap.layout.vocabulary` are how big and how each
unit and link is drawn, for the Map page and the static picture alike.
"""

from integramap.layout.compound import Point, compound_layout
from integramap.layout.quality import LayoutQuality, measure_layout

__all__ = ["LayoutQuality", "Point", "compound_layout", "measure_layout"]
