"""Turning an uploaded file into a validated site, or a message saying why not.

Dash delivers an upload as a ``data:`` URL with base64 content. The size is
checked before decoding, the format is chosen by the file name, and nothing
but a fully validated :class:`~integramap.model.Site` comes out.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import tempfile
from pathlib import Path
from typing import Any

from integramap.io import parse_site
from integramap.model import Site, SiteError

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
    name = Path(filename or "upload").name
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
        path = Path(folder) / name
        path.write_bytes(raw)
        try:
            site = import_table(path)
        except SiteError as err:
            raise err.with_source(name) from None
    if not isinstance(site, Site):
        raise SiteError.single("the spreadsheet did not give a site", source=name)
    return site
