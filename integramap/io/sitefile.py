"""Reading and writing site files (YAML and JSON).

Reading validates everything first and reports every fault with the file, the
line where it can be known, and the field. Writing goes to a temporary file in
the same folder and is renamed into place, so a failed save never leaves a
half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml

from ..bulk import collector_paused
from ..model import Problem, Site, SiteError, validate_site

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest site file read: the national site is a few MB; anything far larger is a mistake."""

Format = Literal["yaml", "json"]

try:  # libyaml is much faster on national-size files; the pure-Python parser is the fallback.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    _Dumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


def format_for(path: str | Path) -> Format:
    """The file format a path names by its suffix.

    Examples
    --------
    >>> format_for("models/borough.yaml"), format_for("site.JSON")
    ('yaml', 'json')
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    raise SiteError.single(f"unsupported file type {suffix or '(none)'!r}; expected .yaml, .yml or .json",
                           source=str(path))


def read_site(path: str | Path) -> Site:
    """Read and validate a site file; :class:`SiteError` names every fault."""
    path = Path(path)
    fmt = format_for(path)
    return parse_site(read_limited(path), fmt, source=str(path))


def read_limited(path: str | Path) -> bytes:
    """A file's bytes, refusing one over :data:`MAX_FILE_BYTES`; :class:`SiteError` names the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SiteError.single(f"cannot open: {exc.strerror or exc}", source=str(path)) from None
    if size > MAX_FILE_BYTES:
        raise SiteError.single(f"file is {size / 1e6:.0f} MB; site files over "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB are refused", source=str(path))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SiteError.single(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def decode_text(raw: bytes | str, source: str) -> str:
    """Text from a file's bytes: UTF-8 (with or without a BOM), refusing binary and oversized input."""
    if isinstance(raw, str):
        return raw
    if len(raw) > MAX_FILE_BYTES:
        raise SiteError.single(f"input is {len(raw) / 1e6:.0f} MB; over the "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit", source=source)
    if b"\x00" in raw[:8192]:
        raise SiteError.single("this is a binary file, not a YAML or JSON file", source=source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteError.single(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                               source=source) from None


def parse_site(raw: bytes | str, fmt: Format, source: str = "<input>") -> Site:
    """Parse and validate a site from text or bytes in the given format."""
    text = decode_text(raw, source)
    with collector_paused():  # a national site is hundreds of thousands of small objects
        data = load_text(text, fmt, source)
        try:
            return validate_site(data, source=source)
        except SiteError as err:
            raise SiteError([Problem(p.loc, p.message, line_of(text, fmt, p.loc)) for p in err.problems],
                            source=source) from None


def load_text(text: str, fmt: Format, source: str,
              expected: str = "a site with at least `id` and `name`") -> Any:
    """The plain data of a YAML or JSON document; :class:`SiteError` with the line of a syntax fault."""
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SiteError.single(f"invalid JSON: {exc.msg} (column {exc.colno})", source=source,
                                   line=exc.lineno) from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "syntax error"
        raise SiteError.single(f"invalid YAML: {what}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise SiteError.single(f"invalid YAML: {exc}", source=source) from None
    if data is None:
        raise SiteError.single(f"the file is empty; expected {expected}", source=source)
    _refuse_shared_nodes(data, source)
    return data


def _refuse_shared_nodes(data: Any, source: str) -> None:
    """Refuse YAML aliases: a few lines of them can expand into gigabytes (a 'billion laughs')."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                raise SiteError.single("YAML anchors and aliases (&name / *name) are not supported in "
                                       "site files; write the values out", source=source)
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)


def line_of(text: str, fmt: Format, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the node at ``loc``, or of its nearest existing ancestor."""
    try:
        # YAML is (nearly) a superset of JSON, so one composer serves both formats.
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if node is None:
            break
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    # The key's line, not the value's: a block value starts on the line below.
                    child = value
                    best = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
                best = child.start_mark.line + 1
        node = child
    return best


def dump_site(site: Site, fmt: Format = "yaml") -> str:
    """The site as text: only non-default fields, in the model's field order.

    Examples
    --------
    >>> from integramap.model import Site
    >>> print(dump_site(Site(id="s", name="Example")), end="")
    format_version: 1
    id: s
    name: Example
    """
    data = site_to_data(site)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def site_to_data(site: Site) -> dict[str, Any]:
    """Plain JSON-compatible data for a site; ``format_version`` is always written."""
    data = site.model_dump(mode="json", exclude_defaults=True)
    return {"format_version": site.format_version, **data}


def write_site(site: Site, path: str | Path, fmt: Format | None = None) -> Path:
    """Write a site atomically: a temporary file in the same folder, renamed into place."""
    path = Path(path)
    text = dump_site(site, fmt or format_for(path))
    return write_text_atomic(path, text)


def write_text_atomic(path: str | Path, text: str | bytes) -> Path:
    """Write text or bytes to ``path`` so that readers see the old or the new file, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _mode_for(path: Path) -> int:
    """The mode a replaced file keeps, or what the umask gives a new one.

    ``mkstemp`` creates files readable by their owner only, which would quietly
    hide a shared site file from colleagues after its first save.
    """
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # Reading it from /proc avoids os.umask's set-and-restore, which would race
    # with files created meanwhile by the web app's other threads.
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
