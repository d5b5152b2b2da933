"""The Typology page: what kind of integration model a site is, at a glance.

The typology code comes first, big, with what each part says; then the
descriptor as a readable panel, a radar of how deep each facet goes, the
links per level, the structural challenges in plain words, and downloads
for a board paper (Markdown, JSON, Word).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from integramap.analysis.typology import TypologyDescriptor, describe_site
from integramap.io.board_pictures import board_pictures
from integramap.io.export_docx import descriptor_to_docx_bytes
from integramap.io.export_markdown import descriptor_to_markdown, summary_sentences, words
from integramap.model import SiteError
from integramap.store import Revision, StoreError, UnknownSiteError
from integramap.wording import first_upper, plural
from integramap.figures.typology import (
    code_parts,
    facet_depths,
    facet_radar_figure,
    facet_radar_words,
    level_distribution_figure,
    level_distribution_words,
)
from integramap.web.common.figure import figure_with_words
from integramap.web.common.pagespec import PageSpec
from integramap.web.common.inputs import CallbackInputs, Clicks, Request, typed_callback
from integramap.web.common.services import Services

log = logging.getLogger(__name__)

REQUEST = "typology-request"
"""``{"site", "revision"}`` from the address: ``/typology?site=ID[&revision=N]``."""
TITLE = "typology-title"
SUBTITLE = "typology-subtitle"
MESSAGE = "typology-message"
BODY = "typology-body"
CODE = "typology-code"
CODE_PARTS = "typology-code-parts"
SUMMARY = "typology-summary"
PANEL = "typology-panel"
RADAR = "typology-radar"
RADAR_WORDS = "typology-radar-words"
LEVELS = "typology-levels"
LEVELS_WORDS = "typology-levels-words"
CHALLENGES = "typology-challenges"
DOWNLOAD_MD = "typology-download-md"
DOWNLOAD_JSON = "typology-download-json"
DOWNLOAD_DOCX = "typology-download-docx"
DOWNLOAD = "typology-download"
PREPARING = "typology-preparing"
"""Says a download is being made: the Word board paper draws the map and the charts first."""
PREPARING_WORD = "Preparing the Word board paper: drawing the map and the charts takes a few seconds…"

CACHED_DESCRIPTORS = 32

PAGE_STYLE: dict[str, Any] = {"padding": "12px 20px", "overflowY": "auto"}
GRAPH_CONFIG: Any = {"displaylogo": False, "displayModeBar": False}
GRID: dict[str, Any] = {"display": "grid", "gridTemplateColumns": "minmax(320px, 1fr) minmax(320px, 1fr)",
                        "gap": "16px", "alignItems": "start"}
CARD: dict[str, Any] = {"background": "#ffffff", "border": "1px solid #dfe3e8", "borderRadius": "6px",
                        "padding": "12px 16px", "marginBottom": "16px"}
CODE_STYLE: dict[str, Any] = {"fontSize": "2.4rem", "fontFamily": "Menlo, Consolas, monospace",
                              "fontWeight": "bold", "letterSpacing": "0.04em", "color": "#08306b",
                              "margin": "4px 0 8px"}
TERM_STYLE: dict[str, Any] = {"fontWeight": "bold", "marginTop": "8px", "color": "#34495e"}
DEF_STYLE: dict[str, Any] = {"marginLeft": "0", "marginBottom": "4px"}
HINT_STYLE: dict[str, Any] = {"color": "#5f6b7a", "fontSize": "0.85rem"}


class DescriptorCache:
    """Descriptors by (database, site, revision): a stored revision never changes, so neither does its
    descriptor, and a national site takes a while to describe."""

    def __init__(self, capacity: int = CACHED_DESCRIPTORS) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple[str, str, int], TypologyDescriptor] = OrderedDict()
        self._capacity = capacity

    def get(self, services: Services, revision: Revision) -> TypologyDescriptor:
        key = (services.store.url, revision.site_id, revision.number)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        descriptor = describe_site(revision.site)
        with self._lock:
            self._data[key] = descriptor
            while len(self._data) > self._capacity:
                self._data.popitem(last=False)
        return descriptor


DESCRIPTORS = DescriptorCache()


def parse_revision(value: Any) -> int | None:
    """A revision number from the address or a dropdown; ``None`` for blank; ``ValueError`` otherwise.

    Examples
    --------
    >>> parse_revision("3"), parse_revision(None), parse_revision("")
    (3, None, None)
    >>> parse_revision("three")
    Traceback (most recent call last):
    ...
    ValueError: revision 'three' is not a revision number; expected a whole number such as 3
    """
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"revision {value!r} is not a revision number; expected a whole number "
                         "such as 3") from None
    if number < 1:
        raise ValueError(f"revision {number} is not a revision number; revisions start at 1")
    return number


def load_revision(services: Services, site_id: str, revision: Any = None) -> Revision:
    """A stored revision, or ``LookupError``/``ValueError`` with a message for the page."""
    return services.store.get(site_id, parse_revision(revision))


def problem_text(err: Exception) -> str:
    """What went wrong, in a sentence for the page (never a traceback)."""
    if isinstance(err, SiteError):
        return err.render()
    if isinstance(err, (UnknownSiteError, StoreError, ValueError)):
        return str(err)
    # Anything else is a fault in IntegraMap: logged in full for whoever runs the server.
    log.error("unexpected error on a page", exc_info=err)
    return f"This could not be shown because of an unexpected error ({type(err).__name__}: {err})."


def error_box(text: str) -> html.Div:
    return html.Div(text, className="error", role="alert", style={"margin": "8px 0", "whiteSpace": "pre-wrap"})


def send_text(text: str, filename: str, mime: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload for text (what ``dcc.send_string`` builds, typed)."""
    return {"content": text, "filename": filename, "type": mime, "base64": False}


def send_data(data: bytes, filename: str, mime: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload for bytes (what ``dcc.send_bytes`` builds, typed)."""
    return {"content": base64.b64encode(data).decode("ascii"), "filename": filename, "type": mime,
            "base64": True}


def when(revision: Any) -> str:
    """A revision's time for people: ``2026-11-23 12:41 UTC``."""
    return f"{revision.created_at:%Y-%m-%d %H:%M} UTC"


def _count_items(counts: dict[str, int], empty: str = "none recorded") -> str:
    return ", ".join(f"{words(k)} ({n})" for k, n in counts.items()) or empty


def _entry(term: str, *definition: Any) -> list[Any]:
    return [html.Dt(term, style=TERM_STYLE), *(html.Dd(d, style=DEF_STYLE) for d in definition)]


def descriptor_panel(d: TypologyDescriptor) -> html.Dl:
    """The descriptor as a definition list, in the order a manager reads a model."""
    b = d.basis
    orgs = [f"{o.name} ({words(str(o.org_type)) if o.org_type else 'organisation'})" for o in d.organisations]
    pairs = [f"{words(p.pair)}: " + "; ".join(
        ([f"{words(p.highest)} ({plural(p.links, 'link')})"] if p.highest is not None else [])
        + ([f"through a shared hub only, up to {words(p.highest_through_shared)} "
            f"({plural(p.through_shared, 'link')})" if p.highest is None else
            f"and {plural(p.through_shared, 'link')} through a shared hub"]
           if p.highest_through_shared is not None else []))
        for p in d.sector_pairs]
    rb = d.rainbow
    findings = {**rb.types, **rb.enablers}
    rainbow_rows = [html.Li([html.Strong(f"{words(name)}: "), "present" if f.present else "not seen",
                             *([html.Ul([html.Li(e) for e in f.evidence]
                                        + ([html.Li(f"… and {f.evidence_count - len(f.evidence)} more")]
                                           if f.evidence_count > len(f.evidence) else []))]
                               if f.present else [])])
                    for name, f in findings.items()]
    align = d.boundary_alignment
    if align.pairs:
        alignment: Any = html.Ul([html.Li(
            f"{words(p.layers[0])} with {words(p.layers[1])}: "
            f"{p.coterminosity_words}, "
            f"{plural(p.mismatches, 'mismatch', 'mismatches')}"
            + (f" (straddling: {', '.join(p.straddling_units)})" if p.straddling_units else ""))
            for p in align.pairs])
    else:
        alignment = align.note or "no layers to compare"
    amb = d.ambition
    ambition: list[Any] = [f"{plural(amb.count, 'link')} below target, "
                           f"{plural(amb.total_gap, 'level step')} in all "
                           f"(largest gap {amb.largest_gap}); {amb.at_target} at target"]
    if amb.links:
        ambition.append(html.Ul([html.Li(
            f"{getattr(a, 'source_name', a.source)} – {getattr(a, 'target_name', a.target)}: "
            f"{words(a.actual)} → {words(a.target_level)}") for a in amb.links[:8]]
            + ([html.Li(f"… and {len(amb.links) - 8} more")] if len(amb.links) > 8 else [])))
    return html.Dl([
        *_entry("Basis", f"{b.value} — {b.geographic} geographic, {b.functional} functional, "
                         f"{b.unrecorded} not recorded (counting {b.counted})"),
        *_entry("Populations", f"Age groups: {_count_items(d.populations.age_groups)}",
                f"Population types: {_count_items(d.populations.population_types)}"),
        *_entry("Organisations", ", ".join(orgs) or "none recorded"),
        *_entry("Sectors", _count_items(d.sectors)),
        *_entry("Sectors joined", html.Ul([html.Li(p) for p in pairs]) if pairs else "none"),
        *_entry("Depth", f"highest {words(d.depth.highest)}, typical {words(d.depth.median)}; "
                         f"Leutz degree: {words(d.depth.leutz_degree)}",
                "Links by Leutz degree: " + _count_items(d.depth.leutz_distribution, "none")),
        *_entry("Breadth", f"{d.breadth.value}: {d.breadth.horizontal} horizontal, {d.breadth.vertical} "
                           f"vertical, {d.breadth.outside_tiers} outside the tiers of care",
                html.Span(f"Horizontal = {d.breadth.definitions.get('horizontal', '')}; vertical = "
                          f"{d.breadth.definitions.get('vertical', '')}.", style=HINT_STYLE)),
        *_entry("Rainbow Model scope (Valentijn)",
                f"types: {', '.join(rb.types_present) or 'none'}; enablers: "
                f"{', '.join(rb.enablers_present) or 'none'}",
                html.Details([html.Summary("Evidence"), html.Ul(rainbow_rows)])),
        *_entry("Mechanisms", _count_items(d.mechanisms, "none recorded")),
        *_entry("Boundary alignment", alignment),
        *_entry("Ambition", *ambition),
    ], className="descriptor-panel")


def rule_title(rule: str) -> str:
    """A structural-challenge rule as a heading: ``pooled_management_on_separate_it`` →
    ``Pooled management on separate IT``.

    Examples
    --------
    >>> rule_title("merged_team_with_separate_hr")
    'Merged team with separate HR'
    """
    return first_upper(words(rule))


def challenge_list(d: TypologyDescriptor) -> list[Any]:
    """The structural challenges, each with the rule in words and its explanation."""
    if not d.structural_challenges:
        return [html.P("None found: no link's facets contradict its level.", style=HINT_STYLE)]
    return [html.P(f"{len(d.structural_challenges)} link level"
                   f"{'s are' if len(d.structural_challenges) != 1 else ' is'} contradicted by how the "
                   "units actually work together:", style=HINT_STYLE),
            html.Ul([html.Li([html.Strong(rule_title(c.rule)), f" (link {c.link}): ",
                              c.explanation], className="challenge")
                     for c in d.structural_challenges], className="challenges")]


def layout(site: str | None = None, revision: str | None = None, **_query: Any) -> html.Div:
    """The page for ``/typology?site=ID[&revision=N]``."""
    return html.Div([
        dcc.Store(id=REQUEST, data={"site": site, "revision": revision}),
        html.H2(id=TITLE, className="site-title"),
        html.Div(id=SUBTITLE, className="hint"),
        html.Div(id=MESSAGE),
        # Outside the Loading: a download being made must not hide the page behind a spinner.
        dcc.Download(id=DOWNLOAD),
        dcc.Loading(html.Div(id=BODY, style={"display": "none"}, children=[
            html.Section([
                html.Div("Typology code", style=HINT_STYLE),
                html.Div(id=CODE, style=CODE_STYLE),
                html.Div(id=CODE_PARTS, className="code-parts"),
                html.P(id=SUMMARY, style={"marginTop": "10px"}),
                html.Div([
                    html.Span("Download: ", style=HINT_STYLE),
                    html.Button("Markdown", id=DOWNLOAD_MD, className="button"),
                    html.Button("JSON", id=DOWNLOAD_JSON, className="button"),
                    html.Button("Word", id=DOWNLOAD_DOCX, className="button"),
                    html.Span(id=PREPARING, role="status", className="hint"),
                ], className="buttons"),
            ], style=CARD),
            html.Div([
                html.Section([html.H3("Descriptor"), html.Div(id=PANEL)], style=CARD),
                html.Div([
                    html.Section([html.H3("Facet depths"),
                                  html.P("How far each facet goes on its own scale: the highest value "
                                         "any link records, and the typical (median) one.", style=HINT_STYLE),
                                  figure_with_words(dcc.Graph(id=RADAR, config=GRAPH_CONFIG), RADAR_WORDS,
                                                    "Radar chart of facet depths")], style=CARD),
                    html.Section([html.H3("Links by level"),
                                  figure_with_words(dcc.Graph(id=LEVELS, config=GRAPH_CONFIG), LEVELS_WORDS,
                                                    "Bar chart of links by level")], style=CARD),
                    html.Section([html.H3("Structural challenges"), html.Div(id=CHALLENGES)], style=CARD),
                ]),
            ], style=GRID),
        ]), type="circle"),
    ], className="typology-page", style=PAGE_STYLE)


PAGE = PageSpec(path="/typology", name="Typology", order=3, layout=layout)


def _code_table(code: str) -> html.Table:
    return html.Table([html.Tbody([
        html.Tr([html.Td(html.Code(part), style={"paddingRight": "12px", "fontWeight": "bold"}),
                 html.Td(meaning)]) for part, meaning in code_parts(code)])], className="code-table")


def _file_name(d: TypologyDescriptor, revision: int, ext: str) -> str:
    return f"{d.site.id}-r{revision}-typology.{ext}"


class _Show(CallbackInputs):
    request: Request


class _Export(CallbackInputs):
    clicks: Clicks
    request: Request


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(TITLE, "children"), Output(SUBTITLE, "children"), Output(MESSAGE, "children"),
                  Output(BODY, "style"),
                  Output(CODE, "children"), Output(CODE_PARTS, "children"), Output(SUMMARY, "children"),
                  Output(PANEL, "children"), Output(RADAR, "figure"), Output(RADAR_WORDS, "children"),
                  Output(LEVELS, "figure"), Output(LEVELS_WORDS, "children"),
                  Output(CHALLENGES, "children"), Input(REQUEST, "data"))
    @typed_callback(_Show)
    def show(request: dict[str, Any] | None) -> tuple[Any, ...]:
        site_id = (request or {}).get("site")
        blank = (no_update,) * 9
        if not site_id:
            return ("Typology", "", html.P("Choose a site in the picker above to see its integration model.",
                                           className="hint"), {"display": "none"}, *blank)
        try:
            rev = load_revision(services, site_id, (request or {}).get("revision"))
            d = DESCRIPTORS.get(services, rev)
        except Exception as err:  # shown on the page, never as a traceback
            return "Typology", "", error_box(problem_text(err)), {"display": "none"}, *blank
        title = f"{rev.name} — integration model"
        depths = facet_depths(rev.site)
        note = f"Revision {rev.number}, saved by {rev.author} at {when(rev)}"
        return (title, note, "", {"display": "block"}, d.code, _code_table(d.code),
                " ".join(summary_sentences(d)), descriptor_panel(d),
                facet_radar_figure(depths), facet_radar_words(depths),
                level_distribution_figure(d.depth.distribution), level_distribution_words(d.depth.distribution),
                challenge_list(d))

    def exporter(render: Callable[[TypologyDescriptor, Revision], dict[str, Any]]) -> Callable[..., Any]:
        @typed_callback(_Export)
        def download(clicks: int | None, request: dict[str, Any] | None) -> Any:
            if not clicks or not request or not request.get("site"):
                raise PreventUpdate
            try:
                rev = load_revision(services, request["site"], request.get("revision"))
                return render(DESCRIPTORS.get(services, rev), rev), no_update, ""
            except (LookupError, ValueError, StoreError) as err:
                return no_update, error_box(problem_text(err)), ""
        return download

    def markdown(d: TypologyDescriptor, rev: Revision) -> dict[str, Any]:
        return send_text(descriptor_to_markdown(d), _file_name(d, rev.number, "md"), "text/markdown")

    def json_file(d: TypologyDescriptor, rev: Revision) -> dict[str, Any]:
        return send_text(d.model_dump_json(indent=2), _file_name(d, rev.number, "json"), "application/json")

    def word(d: TypologyDescriptor, rev: Revision) -> dict[str, Any]:
        # The board paper carries the map and the figures (or says which it had to leave out).
        return send_data(descriptor_to_docx_bytes(d, board_pictures(rev.site, d)), _file_name(d, rev.number, "docx"),
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    for button, render in ((DOWNLOAD_MD, markdown), (DOWNLOAD_JSON, json_file), (DOWNLOAD_DOCX, word)):
        app.callback(Output(DOWNLOAD, "data", allow_duplicate=True),
                     Output(MESSAGE, "children", allow_duplicate=True),
                     Output(PREPARING, "children", allow_duplicate=True),
                     Input(button, "n_clicks"), State(REQUEST, "data"),
                     prevent_initial_call=True)(exporter(render))
    # Said in the browser at once, and cleared by the download's answer.
    app.clientside_callback(  # type: ignore[no-untyped-call]
        f"function(n) {{ return n ? {json.dumps(PREPARING_WORD)} : window.dash_clientside.no_update; }}",
        Output(PREPARING, "children"), Input(DOWNLOAD_DOCX, "n_clicks"), prevent_initial_call=True)
