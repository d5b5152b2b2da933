"""A plotly figure with its words: the figure named for screen readers, and described by text beside it.

Plotly draws an SVG of ticks, labels and shapes that a screen reader would read out piece by piece,
in no useful order. Wrapped here, the figure is one image named by what it is ("Bar chart of links
by level") and described by the words under it, which every reader also sees; those words are
written by a pure function beside each figure builder, from the figure's own data.

A figure with plotly's toolbar (its download button can be reached by Tab) cannot be an image: an
image's content is hidden from assistive technology, and a control inside it would be lost
(axe-core's ``nested-interactive``). Such a figure is a ``figure`` instead, with the same name and
description, and its toolbar stays usable.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from integramap.web.common.aria import aria

__all__ = ["FIGURE_WORDS_CLASS", "figure_with_words"]

FIGURE_WORDS_CLASS = "figure-words"
"""The class of the words under a figure."""


def figure_with_words(graph: dcc.Graph, words_id: str, label: str, words: Any = None) -> html.Div:
    """The graph as an image (or a figure, with a toolbar) named ``label``, described by ``words_id`` beneath it.

    Parameters
    ----------
    graph
        The figure's ``dcc.Graph``.
    words_id
        The id of the words; a callback fills it when the figure is drawn (or ``words`` gives them now).
    label
        What the figure is, in a few words: its accessible name.
    words
        The words, when the figure is drawn with the layout rather than by a callback.

    Examples
    --------
    >>> graph = dcc.Graph(id="g", config={"displayModeBar": False})
    >>> box = figure_with_words(graph, "g-words", "Bar chart of links by level", "3 links")
    >>> image, text = box.children
    >>> image.role, getattr(image, "aria-describedby"), text.id, text.children
    ('img', 'g-words', 'g-words', '3 links')
    >>> figure_with_words(dcc.Graph(id="h"), "h-words", "Heatmap").children[0].role
    'figure'
    """
    config = getattr(graph, "config", None) or {}
    role = "img" if config.get("displayModeBar") is False else "figure"
    return html.Div([
        html.Div(graph, role=role, **aria(label=label, describedby=words_id)),
        html.P(words, id=words_id, className=FIGURE_WORDS_CLASS),
    ], className="figure-with-words")
