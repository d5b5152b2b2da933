"""The accessibility statement: what meets WCAG 2.2 AA, what does not yet, and how to report a problem.

Written the way UK public-sector bodies publish theirs, since IntegraMap's users work in NHS bodies
and councils that must meet that standard for the tools they adopt. The statement is a page of the
app, linked from the bar at the top of every page, so it is there wherever IntegraMap is installed.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, html

from integramap.web.common.pagespec import PageSpec
from integramap.web.common.services import Services

PATH = "/accessibility"
STATEMENT = "accessibility-statement"

MET = (
    "Every page passes an automated audit of the WCAG 2.0, 2.1 and 2.2 rules at levels A and AA "
    "(axe-core, run in a browser on each page as it first shows and with a form open, an error shown, "
    "a list open or work running in the background), checked on every change to IntegraMap. That "
    "includes the Atlas page, trying a change on the map, the sign-in page, a viewer's map and the "
    "Sharing page.",
    "Every control can be reached and used with the keyboard alone, and shows where the keyboard is: "
    "menus, tick boxes, buttons, the editor's forms, saving and downloads, trying a change on the map "
    "and keeping it, and sorting the Atlas table and opening an ICB from it.",
    "Every field has a name that screen readers read out, and the page says it is in English.",
    "Text is at least 4.5 times as bright or dark as its background.",
    "On the map, a link's level is shown by its line's width and dash pattern as well as its colour, and "
    "a unit's kind by its shape; the colours stay distinct to people with the common kinds of colour "
    "blindness. In the Atlas table a share under 90% is striped and said in words as well as coloured, "
    "and a changed figure while trying a change is said to be changed as well as shaded.",
    "What each chart on the Boundaries, Typology, Compare and Atlas pages shows is also given in words "
    "beside it, written from the chart's own figures and read by screen readers as its description, and "
    "the map's pictures (downloads and board papers) carry a description of the site in words.",
)
"""What meets the standard, in words for the people who use the app."""

NOT_MET = (
    "The map itself is a picture: a screen reader cannot read the units and links drawn on it. "
    "The same units, links and findings are in the list beside it, under the filters (The map as a "
    "list), which follows the map's filters and search and from which each unit and link can be edited.",
    "Moving a unit to another place on the map needs a mouse or touch (dragging). Nothing depends on "
    "where a unit is drawn: Arrange lays the map out again without dragging.",
    "The details shown when the pointer rests on a chart's bar or cell are not reachable by keyboard; "
    "the same figures are in the text or table beside each chart.",
    "The boundary maps on the Boundaries page show areas by colour; each area's figures are in the "
    "findings table.",
)
"""Known shortfalls, each with the way round it that the app offers today."""

REPORT = (
    "If you find a part of IntegraMap that you cannot use, or that a screen reader, magnifier or "
    "keyboard does not work with, tell whoever runs IntegraMap for your organisation (your digital or "
    "information team). Say which page you were on, what you were trying to do, and which browser and "
    "assistive technology you use. They can pass it on to the people who make IntegraMap.",
    "If you are not happy with how your report is handled, the Equality Advisory and Support Service "
    "(EASS) can advise you; the Equality and Human Rights Commission enforces the accessibility "
    "regulations in Great Britain, and the Equality Commission for Northern Ireland in Northern Ireland.",
)
"""How to report a problem, and where to go when a report is not answered."""


def _list(items: tuple[str, ...]) -> html.Ul:
    return html.Ul([html.Li(item) for item in items])


def layout(**_query: Any) -> html.Div:
    return html.Div([
        html.H2("Accessibility statement for IntegraMap"),
        html.P("IntegraMap is meant to be usable by everyone who needs it: with a keyboard instead of a "
               "mouse, with a screen reader, magnified up to 400% or with colours that are hard to tell "
               "apart. This statement says how far it meets the Web Content Accessibility Guidelines "
               "(WCAG) 2.2 at level AA, the standard public-sector bodies must meet.", className="lead"),
        html.H3("Compliance status"),
        html.P("IntegraMap is partially compliant with WCAG 2.2 AA: the shortfalls are listed below, each "
               "with the way round it that the app offers today."),
        html.H3("What works"),
        _list(MET),
        html.H3("What does not work yet"),
        _list(NOT_MET),
        html.H3("Reporting a problem"),
        *[html.P(text) for text in REPORT],
        html.H3("How this was tested"),
        html.P("Each page is audited automatically in a browser with axe-core's WCAG 2.2 A and AA rules "
               "whenever IntegraMap changes, and a keyboard-only walk through the editor (open a site, add "
               "a team and a link, save, read the boundary findings, download the board paper) is run "
               "with it, as are keyboard-only walks through trying a change and keeping it, and through "
               "sorting the Atlas table and opening an ICB. This statement was last reviewed in December "
               "2026."),
    ], id=STATEMENT, className="sites-page statement")


PAGE = PageSpec(path=PATH, name="Accessibility", order=99, layout=layout,
                title="Accessibility statement · IntegraMap", needs_site=False, in_nav=False)


def register_callbacks(app: Dash, services: Services) -> None:
    """The statement is static text: nothing to register."""
