"""The "Load the south-east London demo" offer, on any page that wants it.

Building the demo reads the public files the user keeps (see
:func:`integramap.demo.find_demo_files`), so it runs in the background with a
progress bar; when it is done the site is stored as a new site and its
Boundaries page opens. Where the files are missing, the page says which,
where it looked and where each is published, at once and in full.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from integramap import demo as demos
from integramap.web.common import ids
from integramap.web.common.limits import DEMO_BUILDS, refused_by_limit
from integramap.web.common.jobs import (
    Progress, Step, background_job, default_runner, follow_job, progress_bar,
)
from integramap.web.common.inputs import Author, CallbackInputs, Clicks, Id, typed_callback
from integramap.web.common.services import Services

DEMO_NAME = "south-east-london"
AUTHOR = "IntegraMap demo"
"""Who the stored demo's first revision is saved by, when the browser has no name remembered."""


def _ids(prefix: str) -> dict[str, str]:
    return {key: f"{prefix}-demo-{key}" for key in ("button", "job", "poll", "progress", "message")}


def demo_offer(prefix: str, lead: str) -> html.Div:
    """The button, with a sentence saying what the demo is, its progress and its messages."""
    i = _ids(prefix)
    return html.Div([
        dcc.Store(id=i["job"]),
        dcc.Interval(id=i["poll"], interval=500, disabled=True),
        html.P(lead, className="hint"),
        html.Button("Load the south-east London demo", id=i["button"], className="button primary"),
        html.Div(id=i["progress"], style={"marginTop": "8px"}),
        html.Div(id=i["message"], style={"marginTop": "8px"}),
    ], className="demo-offer")


BUILDING = ("The south-east London demo is being built already (someone pressed the button a moment "
            "ago): it opens on its own when done. Please try again in a few minutes.")
CLAIM_MINUTES = 30
"""A build claimed longer ago than this is taken to have stopped (its server was restarted)."""


class DemoBusy(RuntimeError):
    """Another server process is building the demo at this moment."""


def build_and_store(services: Services, files: demos.DemoFiles, author: str, progress: Progress) -> str:
    """Build the demo from its files and save it as a new site (or a new revision of it); its id.

    One build at a time across every server process: this process's job runner already joins
    a second press to the running build, and a claim in the store refuses a build while another
    process runs one (:class:`DemoBusy`), so concurrent builds never overwrite each other.
    """
    claim = f"demo-build:{DEMO_NAME}"
    if not services.store.accounts.claim(claim, stale_after=CLAIM_MINUTES * 60):
        raise DemoBusy(BUILDING)
    try:
        site = demos.build_demo(DEMO_NAME, files, progress=progress.part(0.0, 0.9))
        progress(0.92, "Saving the site")
        store = services.store
        base = store.latest(site.id) if store.exists(site.id) else None
        store.save(site, author=author, message="Built from the public NHS and ONS files", base=base)
        progress(1.0, "Done")
        return site.id
    finally:
        services.store.accounts.release(claim)


@background_job
def build_demo_in_background(services: Services, progress: Progress, author: str) -> str:
    """:func:`build_and_store` as a background job: the worker finds the files on its own machine."""
    return build_and_store(services, demos.find_demo_files(demo=DEMO_NAME), author, progress)


def boundaries_address(site_id: str) -> str:
    """The Boundaries page of a demo site, with PCNs against boroughs.

    Examples
    --------
    >>> boundaries_address("south-east-london")
    '/boundaries?site=south-east-london&a=pcn&b=local_authority'
    """
    return f"/boundaries?{urlencode({'site': site_id, 'a': 'pcn', 'b': 'local_authority'})}"


class _Start(CallbackInputs):
    clicks: Clicks
    author: Author


class _Poll(CallbackInputs):
    n: Clicks
    job: Id


def register_demo_callbacks(app: Dash, services: Services, prefix: str) -> None:
    """The offer's callbacks for the ids made with ``prefix``."""
    i = _ids(prefix)

    @app.callback(Output(i["job"], "data"), Output(i["poll"], "disabled"), Output(i["progress"], "children"),
                  Output(i["message"], "children"), Output(i["button"], "disabled"),
                  Input(i["button"], "n_clicks"), State(ids.AUTHOR, "data"), prevent_initial_call=True)
    @typed_callback(_Start)
    def start(clicks: int | None, author: str | None) -> tuple[Any, ...]:
        if not clicks:
            raise PreventUpdate
        # Counted before anything is read: every press costs the server a search of the files.
        refused = refused_by_limit(services.store, DEMO_BUILDS, site_id=DEMO_NAME)
        if refused:
            return None, True, "", html.Div(refused, className="error", role="alert"), False
        try:
            files = demos.find_demo_files(demo=DEMO_NAME)
        except ValueError as err:  # the files are missing: say which, and where they are published
            text = err.for_people() if isinstance(err, demos.DemoDataError) else str(err)
            return None, True, "", html.Div(text, className="error", role="alert",
                                            style={"whiteSpace": "pre-wrap"}), False
        name = (author or "").strip() or AUTHOR
        job = default_runner().start(services, build_demo_in_background, author=name,
                                     title="Building the south-east London demo", key=f"demo:{DEMO_NAME}")
        return job, False, progress_bar(default_runner().status(job)), "", True

    @app.callback(Output(i["poll"], "disabled", allow_duplicate=True),
                  Output(i["progress"], "children", allow_duplicate=True),
                  Output(i["message"], "children", allow_duplicate=True),
                  Output(i["button"], "disabled", allow_duplicate=True),
                  Output(ids.NAV_LOCATION, "href", allow_duplicate=True),
                  Input(i["poll"], "n_intervals"), State(i["job"], "data"), prevent_initial_call=True)
    @typed_callback(_Poll)
    def poll(_n: int | None, job: str | None) -> tuple[Any, ...]:
        followed = follow_job(default_runner(), job)
        if followed.step is Step.NONE:
            return True, no_update, no_update, False, no_update
        if followed.step is Step.UNKNOWN:
            return True, "", html.Div(followed.message, className="error"), False, no_update
        if followed.step is Step.RUNNING:
            return False, followed.bar, no_update, True, no_update
        if followed.step is Step.DONE:
            return True, followed.bar, "", False, boundaries_address(str(followed.result))
        return True, "", html.Div(followed.message, className="error", role="alert",
                                  style={"whiteSpace": "pre-wrap"}), False, no_update
