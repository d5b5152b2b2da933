"""Turning an uploaded file into a validated site, or a message saying why not.

Dash delivers an upload as a ``data:`` URL with base64 content. The size is
checked before decoding, the format is chosen by the file name, and nothing
but a fully validated :class:`~integramap.model.Site` comes out.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import importlib
import tempfile
from pathlib import Path
from typing import Any

from integramap.io import parse_site
from integramap.io.tabular import CellProblem
from integramap.model import Problem, Site, SiteError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Largest file accepted from the browser."""


def upload_to_site(contents: str | None, filename: str | None) -> Site:
    """The site in an uploaded file; :class:`SiteError` naming the file and the fault.

    Examples
    --------
    >>> import base64
    >>> data = "data:application/x-yaml;base64," + base64.b64encode(b"id: s\\nname: S\\n").decode()
    >>> upload_to_site(data, "s.yaml").name
    'S'
    >>> try:
    ...     upload_to_site(data, "s.txt")
    ... except SiteError as err:
    ...     print(err.problems[0].message)
    unsupported file type '.txt'; expected .yaml, .yml, .json or .xlsx
    """
    name = display_name(filename)
    if not contents:
        raise SiteError.single("the upload is empty", source=name)
    _, _, payload = contents.partition(",")
    if len(payload) * 3 // 4 > MAX_UPLOAD_BYTES:
        size = len(payload) * 3 / 4 / 1e6
        raise SiteError.single(f"file is {size:.1f} MB; uploads over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
                               "are refused", source=name)
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise SiteError.single("the upload arrived damaged (not base64); try again", source=name) from None
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_site(raw, "yaml", source=name)
    if suffix == ".json":
        return parse_site(raw, "json", source=name)
    if suffix == ".xlsx":
        return _xlsx_site(raw, name)
    raise SiteError.single(f"unsupported file type {suffix or '(none)'!r}; expected .yaml, .yml, .json or .xlsx",
                           source=name)


def _xlsx_site(raw: bytes, name: str) -> Site:
    try:
        module: Any = importlib.import_module("integramap.io.table")
        import_table = module.import_table
    except (ImportError, AttributeError):
        raise SiteError.single("spreadsheet upload is not available in this version; upload YAML or JSON",
                               source=name) from None
    with tempfile.TemporaryDirectory() as folder:
        # The browser's name for the file can be anything (a NUL, 300 characters): the copy on disk gets
        # a plain name of ours, and messages get the person's name back instead of the server's path.
        path = Path(folder) / "upload.xlsx"
        path.write_bytes(raw)
        try:
            site = import_table(path)
        except SiteError as err:
            raise SiteError([_renamed(p, str(path), name) for p in err.problems], source=name,
                            summary=err.summary) from None
    if not isinstance(site, Site):
        raise SiteError.single("the spreadsheet did not give a site", source=name)
    return site


def display_name(filename: str | None, limit: int = 100) -> str:
    """The uploaded file's name as messages show it: no folders, no control characters, not too long.

    Examples
    --------
    >>> display_name("C:\\\\Users\\\\me\\\\site\\x00\\x1b[2J.xlsx"), display_name("x" * 300 + ".xlsx")[-8:]
    ('site[2J.xlsx', 'xx….xlsx')
    >>> display_name(None)
    'upload'
    """
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > limit:
        suffix = Path(name).suffix[:10]
        name = name[: limit - len(suffix) - 1] + "…" + suffix
    return name or "upload"


def _renamed(problem: Problem, path: str, name: str) -> Problem:
    message = problem.message.replace(path, name)
    if isinstance(problem, CellProblem):
        return dataclasses.replace(problem, message=message, file=problem.file.replace(path, name))
    return dataclasses.replace(problem, message=message)
