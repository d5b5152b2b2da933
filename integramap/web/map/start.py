"""An empty map's start from the national NHS files: choose an ICB, sub-ICB location or borough, and
the importer builds its practices, PCNs and districts in the background, with progress.

The files are the ones the demo reads, from the reference-data folder on the server (see
:func:`integramap.demo.reference_file`); the result replaces the empty working copy as an unsaved
change, to be looked over and saved.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

from integramap import demo as demos
from integramap.drafts import Change, StaleWorkingCopy
from integramap.io.nhs import import_nhs
from integramap.model import Site, SiteError
from integramap.web.common.jobs import (
    Progress, Step, background_job, default_runner, follow_job, progress_bar,
)
from integramap.web.common.inputs import CallbackInputs, Clicks, Flag, Id, Store, typed_callback
from integramap.web.common.services import Services
from integramap.web.map import ids as mid
from integramap.web.map.working import WorkingCopyGone, draft_of, handle_for

Handle = dict[str, Any]

FILTERS = {"icb": "ICB", "sub_icb": "Sub-ICB location", "lad": "Borough or district"}
"""What each choice filters on, as :func:`~integramap.io.nhs.import_nhs` takes it, and its words."""


def import_section() -> html.Li:
    """The start box's item: a dropdown of areas, a button, and the job's progress."""
    return html.Li([
        html.Strong("Start from the national NHS files"), " — every GP practice of an ICB, a sub-ICB "
        "location or a borough in its primary care network, with the local authorities. ",
        dcc.Dropdown(id=mid.START_AREA, placeholder="Choose an ICB, sub-ICB location or borough…",
                     className="start-area"),
        html.Button("Build the map", id=mid.START_IMPORT, className="button small", disabled=True),
        dcc.Store(id=mid.START_JOB),
        dcc.Interval(id=mid.START_POLL, interval=500, disabled=True),
        html.Div(id=mid.START_PROGRESS),
        html.Div(id=mid.START_IMPORT_RESULT, className="form-message"),
    ])


@functools.lru_cache(maxsize=4)
def _choices(practices: Path, lsoa_lad: Path, _stamp: tuple[float, float]) -> list[dict[str, str]]:
    icbs: dict[str, str] = {}
    locations: dict[str, str] = {}
    with practices.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row.get("ICB_CODE"):
                icbs[row["ICB_CODE"]] = row.get("ICB_NAME") or row["ICB_CODE"]
            if row.get("LOC_CODE"):
                locations[row["LOC_CODE"]] = row.get("LOC_NAME") or row["LOC_CODE"]
    districts: dict[str, str] = {}
    with lsoa_lad.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            code = next((row[k] for k in row if k.upper().startswith("LAD") and k.upper().endswith("CD")), "")
            name = next((row[k] for k in row if k.upper().startswith("LAD") and k.upper().endswith("NM")), "")
            if code.startswith("E"):  # the practice files are England's
                districts[code] = name or code
    options: list[dict[str, str]] = []
    for kind, found in (("icb", icbs), ("sub_icb", locations), ("lad", districts)):
        options += [{"label": f"{name} ({FILTERS[kind]})", "value": f"{kind}:{code}"}
                    for code, name in sorted(found.items(), key=lambda item: item[1].casefold())]
    return options


def area_choices(data_dir: Path | None = None) -> list[dict[str, str]]:
    """Every ICB, sub-ICB location and English borough or district the national files hold, as options;
    :class:`~integramap.demo.DemoDataError` when the files are not on the server."""
    practices = demos.reference_file("practices", data_dir)
    lsoa_lad = demos.reference_file("lsoa_lad", data_dir)
    return _choices(practices, lsoa_lad, (practices.stat().st_mtime, lsoa_lad.stat().st_mtime))


def build_area(choice: str, site_id: str, name: str, progress: Progress) -> Site:
    """The site of one area from the national files (run in the background)."""
    kind, _, code = choice.partition(":")
    if kind not in FILTERS or not code:
        raise ValueError("choose an ICB, sub-ICB location or borough from the list")
    progress(0.05, "Finding the national files")
    practices = demos.reference_file("practices")
    lsoa_lad = demos.reference_file("lsoa_lad")
    progress(0.15, "Reading every GP practice and its primary care network")
    site = import_nhs(practices=practices, lsoa_lad=lsoa_lad, site_id=site_id, name=name,
                      icb=[code] if kind == "icb" else None, sub_icb=[code] if kind == "sub_icb" else None,
                      lad=[code] if kind == "lad" else None)
    progress(1.0, f"Found {len(site.units):,} units")
    return site


@background_job
def build_area_in_background(services: Services, progress: Progress, choice: str, site_id: str,
                             name: str) -> Site:
    """:func:`build_area` as a background job (in this process, or any worker's)."""
    return build_area(choice, site_id, name, progress)


class _Hidden(CallbackInputs):
    hidden: Flag


class _Choice(CallbackInputs):
    choice: Id


class _Start(CallbackInputs):
    n: Clicks
    choice: Id
    handle: Store


class _Poll(CallbackInputs):
    n: Clicks
    job: Id
    handle: Store


def register_callbacks(app: Dash, services: Services) -> None:
    @app.callback(Output(mid.START_AREA, "options"), Output(mid.START_IMPORT_RESULT, "children"),
                  Input(mid.START_BOX, "hidden"))
    @typed_callback(_Hidden)
    def fill_choices(hidden: bool | None) -> tuple[Any, Any]:
        if hidden is not False:
            return no_update, no_update
        try:
            return area_choices(), ""
        except demos.DemoDataError as err:
            return [], html.Div(err.for_people(), className="hint", style={"whiteSpace": "pre-wrap"})

    @app.callback(Output(mid.START_IMPORT, "disabled"), Input(mid.START_AREA, "value"))
    @typed_callback(_Choice)
    def ready(choice: str | None) -> bool:
        return not choice

    @app.callback(Output(mid.START_JOB, "data"), Output(mid.START_POLL, "disabled"),
                  Output(mid.START_PROGRESS, "children"), Output(mid.START_IMPORT, "disabled", allow_duplicate=True),
                  Input(mid.START_IMPORT, "n_clicks"), State(mid.START_AREA, "value"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Start)
    def start(n: Any, choice: str | None, handle: Handle | None) -> tuple[Any, ...]:
        if not n or not choice:
            return no_update, no_update, no_update, no_update
        try:
            site = draft_of(services, handle).site
        except WorkingCopyGone as err:
            return None, True, html.Div(str(err), className="error"), False
        label = next((o["label"] for o in _labels() if o["value"] == choice), choice)
        runner = default_runner()
        job = runner.start(services, build_area_in_background, choice=choice, site_id=site.id, name=site.name,
                           title=f"Building the map of {label}")
        return job, False, progress_bar(runner.status(job)), True

    @app.callback(Output(mid.DRAFT, "data", allow_duplicate=True),
                  Output(mid.START_POLL, "disabled", allow_duplicate=True),
                  Output(mid.START_PROGRESS, "children", allow_duplicate=True),
                  Output(mid.START_IMPORT, "disabled", allow_duplicate=True),
                  Input(mid.START_POLL, "n_intervals"), State(mid.START_JOB, "data"), State(mid.DRAFT, "data"),
                  prevent_initial_call=True)
    @typed_callback(_Poll)
    def poll(_n: Any, job: str | None, handle: Handle | None) -> tuple[Any, ...]:
        followed = follow_job(default_runner(), job)
        if followed.step is Step.NONE:
            return no_update, True, no_update, False
        if followed.step is Step.UNKNOWN:
            return no_update, True, html.Div(followed.message, className="error"), False
        if followed.step is Step.RUNNING:
            return no_update, False, followed.bar, True
        if followed.step is Step.FAILED:
            return no_update, True, followed.bar, False  # the bar shows why, in red
        site = followed.result
        try:
            draft = draft_of(services, handle)
            draft.apply(Change.replace(site), "start from the national NHS files")
        except (WorkingCopyGone, StaleWorkingCopy, SiteError) as err:
            return no_update, True, html.Div(str(err), className="error"), False
        assert handle is not None
        return handle_for(handle, draft, fit=True), True, followed.bar, False


def _labels() -> list[dict[str, str]]:
    try:
        return area_choices()
    except demos.DemoDataError:
        return []


__all__ = ["FILTERS", "area_choices", "build_area", "import_section", "register_callbacks"]
