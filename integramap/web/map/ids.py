"""Component ids of the Map page (layout in ``page.py``, callbacks in ``view.py``, ``edit.py`` and ``files.py``)."""

from __future__ import annotations

import json

SITE_REQUEST = "map-site-request"
"""The site named in the address (``/map?site=…``)."""
DRAFT = "map-draft"
"""The handle of the working copy (see ``working.py``): a new version redraws the map."""
DRILL = "map-drill"
OPENED = "map-opened"
"""The boxes the user opened by clicking them, in the order opened."""
MOVED = "map-moved"
"""Positions of nodes the user has dragged, written by ``assets/map.js``."""

CY = "map-cy"
STATUS = "map-status"
MESSAGE = "map-message"
TITLE = "map-title"
BREADCRUMB = "map-breadcrumb"
CRUMB = "map-crumb"
VIEW_INFO = "map-view-info"

UNDO = "map-undo"
REDO = "map-redo"
ARRANGE = "map-arrange"
FIT = "map-fit"

F_KINDS = "map-filter-kinds"
F_SECTORS = "map-filter-sectors"
F_ORGS = "map-filter-orgs"
F_LEVELS = "map-filter-levels"
F_SEARCH = "map-search"
SEARCH_NOTE = "map-search-note"
"""What the search found, in words, under the search box."""
F_FOCUS = "map-focus"
F_DEPTH = "map-focus-depth"
F_COMPOUND = "map-compound"
F_TARGETS = "map-targets"
F_CLEAR = "map-filter-clear"

TABS = "map-tabs"
INSPECT = "map-inspect"

UNIT_FORM = "unit"
LINK_FORM = "link"
FIELD = "field"
ERROR = "error"
UNIT_EDITING = "unit-editing"
LINK_EDITING = "link-editing"
UNIT_ADD = "unit-add"
UNIT_UPDATE = "unit-update"
UNIT_DELETE = "unit-delete"
UNIT_NEW = "unit-new"
LINK_ADD = "link-add"
LINK_UPDATE = "link-update"
LINK_DELETE = "link-delete"
LINK_NEW = "link-new"
UNIT_MESSAGE = "unit-message"
LINK_MESSAGE = "link-message"

SAVE_MESSAGE = "save-message"
SAVE_AUTHOR = "save-author"
SAVE = "save"
SAVE_RESULT = "save-result"
CONFLICT_BOX = "save-conflict"
"""Shown when someone else saved the site first: what happened, and the choices."""
CONFLICT_TEXT = "save-conflict-text"
CONFLICT_KEEP = "save-conflict-keep"
"""Save one's own version as the next revision (theirs stays in the history)."""
CONFLICT_LOAD = "save-conflict-load"
"""Drop one's unsaved changes and open the latest revision."""
CONFLICT_COMPARE = "save-conflict-compare"
DISCARD = "discard"
DOWNLOAD_YAML = "download-yaml"
DOWNLOAD_JSON = "download-json"
DOWNLOAD = "download"
UPLOAD = "upload"
UPLOAD_RESULT = "upload-result"


def field_id(form: str, name: str) -> dict[str, str]:
    """The id of one form input: pattern-matching, so a callback can read a whole form."""
    return {"form": form, "role": FIELD, "name": name}


def dom_id(component_id: dict[str, str]) -> str:
    """How Dash writes a pattern-matching id into the page: for a ``<label for=…>``.

    Examples
    --------
    >>> dom_id(field_id("unit", "name"))
    '{"form":"unit","name":"name","role":"field"}'
    """
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def error_id(form: str, name: str) -> dict[str, str]:
    """The id of the message shown beside one form input."""
    return {"form": form, "role": ERROR, "name": name}

UNIT_EDITING_ID = "unit-editing-id"
LINK_EDITING_ID = "link-editing-id"

LINK_OPEN_EXISTING = "link-open-existing"
"""The button offered when a new link repeats an existing one (pattern-matching: ``{"type", "link"}``)."""
FOLLOWED = "map-followed"
"""Written by the browser once it has moved the view to a newly added unit."""
UNSAVED = "map-unsaved"
"""Written by the browser when it tells ``assets/unsaved.js`` whether there are unsaved edits."""

RESUME_BOX = "map-resume"
RESUME = "map-resume-keep"
RESUME_DISCARD = "map-resume-discard"
RESUME_TEXT = "map-resume-text"

START_BOX = "map-start"
START_ORGANISATION = "map-start-organisation"
START_UPLOAD = "map-start-upload"
START_RESULT = "map-start-result"
START_TEMPLATE = "map-start-template"
TEMPLATE_DOWNLOAD = "map-template-download"
START_AREA = "map-start-area"
START_IMPORT = "map-start-import"
START_JOB = "map-start-job"
START_POLL = "map-start-poll"
START_PROGRESS = "map-start-progress"
START_IMPORT_RESULT = "map-start-import-result"

TRY = "map-try"
"""The change being tried (see ``trying.py``): while on, the editor's edits are recorded, not made."""
TRY_TOGGLE = "map-try-toggle"
TRY_PANEL = "map-try-panel"
TRY_FIGURES = "map-try-figures"
TRY_STEPS = "map-try-steps"
TRY_MESSAGE = "map-try-message"
TRY_NAME = "map-try-name"
TRY_UNDO = "map-try-undo"
TRY_MERGE_UNITS = "map-try-merge-units"
TRY_MERGE_NAME = "map-try-merge-name"
TRY_MERGE = "map-try-merge"
TRY_KEEP = "map-try-keep"
TRY_KEPT = "map-try-kept"
TRY_OPEN = "map-try-open"
TRY_FORGET = "map-try-forget"
TRY_COMPARE = "map-try-compare"
TRY_KEPT_MESSAGE = "map-try-kept-message"
TRY_EXPORT_MD = "map-try-export-md"
TRY_EXPORT_DOCX = "map-try-export-docx"
TRY_DOWNLOAD = "map-try-download"
TRY_AUTHOR = "map-try-author"
TRY_APPLY = "map-try-apply"
TRY_APPLY_RESULT = "map-try-apply-result"
TRY_RESIZED = "map-try-resized"

READ_ONLY = "map-read-only"
