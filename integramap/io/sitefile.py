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
from ..model import Problem, Site, SiteError, short_repr, validate_site
from .limits import LimitError, read_limited
from .tabular import decode_text

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest site file read: the national site is a few MB; anything far larger is a mistake."""

Format = Literal["yaml", "json"]

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings read: a site is five levels deep, its metadata a few more."""

MAX_DIGITS = 100
"""Longest whole number read (Python refuses over 4,300 digits with an error of its own)."""

try:  # libyaml is much faster on national-size files; the pure-Python parser is the fallback.
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    _Dumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, refusing a key given twice in one mapping (YAML's own rule; PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {short_repr(key.value)} is given twice in one mapping (first on "
                        f"line {seen[key.value]}); give each key once", key.start_mark)
                seen[key.value] = line
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


class _Refused(ValueError):
    """A value the JSON reader refuses, with the reason."""


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
    return parse_site(read_file_bytes(path), fmt, source=str(path))


def read_file_bytes(path: str | Path) -> bytes:
    """A site (or scenario) file's bytes, refusing one over :data:`MAX_FILE_BYTES`.

    :class:`SiteError` names the file and what was wrong.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SiteError.single(f"cannot open: {exc.strerror or exc}", source=str(path)) from None
    if size > MAX_FILE_BYTES:
        raise SiteError.single(f"file is {size / 1e6:.0f} MB; site files over "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB are refused", source=str(path))
    try:
        return read_limited(path, MAX_FILE_BYTES, "split the site into smaller sites (for example one per "
                                                  "place) and read each")
    except LimitError as exc:
        raise SiteError.single(str(exc), source=str(path)) from None
    except OSError as exc:
        raise SiteError.single(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def decode_site_text(raw: bytes | str, source: str) -> str:
    """Text from a site or scenario file's bytes: UTF-8 (with or without a BOM), within the size limit."""
    if not isinstance(raw, bytes):
        return raw
    if len(raw) > MAX_FILE_BYTES:
        raise SiteError.single(f"input is {len(raw) / 1e6:.0f} MB; over the "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB limit", source=source)
    try:
        return decode_text(raw, "YAML or JSON site", legacy=False)
    except ValueError as exc:
        hint = "" if "binary" in str(exc) else "; save the file as UTF-8"
        raise SiteError.single(f"{exc}{hint}", source=source) from None


def parse_site(raw: bytes | str, fmt: Format, source: str = "<input>") -> Site:
    """Parse and validate a site from text or bytes in the given format."""
    text = decode_site_text(raw, source)
    with collector_paused():  # a national site is hundreds of thousands of small objects
        data = load_text(text, fmt, source)
        try:
            return validate_site(data, source=source)
        except SiteError as err:
            lines = _lines_of(text, [p.loc for p in err.problems])
            raise SiteError([Problem(p.loc, p.message, lines.get(p.loc)) for p in err.problems],
                            source=source) from None


def load_text(text: str, fmt: Format, source: str,
              expected: str = "a site with at least `id` and `name`") -> Any:
    """The plain data of a YAML or JSON document; :class:`SiteError` with the line of a fault."""
    if fmt == "json":
        try:
            data = json.loads(text, parse_int=_json_int, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            raise SiteError.single(f"invalid JSON: {exc.msg} (column {exc.colno})", source=source,
                                   line=exc.lineno) from None
        except _Refused as exc:
            raise SiteError.single(str(exc), source=source) from None
        except RecursionError:
            raise SiteError.single(_too_deep(), source=source) from None
        _check_nodes(data, source)
        return data
    if "!" in text:  # a tag needs one; the extra pass over the parser's events is for such files only
        _refuse_tags(text, source)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except RecursionError:
        raise SiteError.single(_too_deep(), source=source) from None
    except ValueError as exc:  # Python's own limit on the digits of a number
        raise SiteError.single(f"invalid YAML: {short_repr(str(exc))}; numbers over {MAX_DIGITS} digits "
                               "are not read", source=source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "syntax error"
        raise SiteError.single(f"invalid YAML: {what}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise SiteError.single(f"invalid YAML: {exc}", source=source) from None
    if data is None:
        raise SiteError.single(f"the file is empty; expected {expected}", source=source)
    _check_nodes(data, source)
    return data


def _check_nodes(data: Any, source: str) -> None:
    """Refuse YAML aliases (a few lines of them can expand into gigabytes, a 'billion laughs'),
    nesting deeper than :data:`MAX_DEPTH`, and values no site field holds (``!!binary`` bytes)."""
    seen: set[int] = set()
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if id(item) in seen:
                raise SiteError.single("YAML anchors and aliases (&name / *name) are not supported in "
                                       "site files; write the values out", source=source)
            if depth >= MAX_DEPTH:
                raise SiteError.single(_too_deep(), source=source)
            seen.add(id(item))
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, (bytes, bytearray)):
            raise SiteError.single("binary data is not read in site files; write the value as text",
                                   source=source)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) >= 10**MAX_DIGITS:
            raise SiteError.single(f"a number over {MAX_DIGITS} digits long; no site field holds one",
                                   source=source)


def _too_deep() -> str:
    return (f"lists and mappings nested more than {MAX_DEPTH} deep; a site file is a few levels deep "
            "(units, then each unit's fields): split deep metadata into separate fields")


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"a number {len(text):,} digits long ({short_repr(text, 30)}); numbers over "
                       f"{MAX_DIGITS} digits are not read")
    return int(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {short_repr(key)} is given twice in one object; give each key once")
        out[key] = value
    return out


def _refuse_tags(text: str, source: str) -> None:
    """Refuse explicit tags (``!!binary``, ``!!str``…): a site file holds plain values, typed by the site's fields."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            tag = getattr(event, "tag", None)
            if tag is not None:
                mark = event.start_mark
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                raise SiteError.single(f"YAML tags such as {short_repr(shown)} are not read in site files; "
                                       "write the value as plain text", source=source,
                                       line=mark.line + 1 if mark is not None else None)
    except yaml.YAMLError:
        return  # the load that follows reports the syntax error with its line


def line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the node at ``loc`` in a YAML or JSON text, or of its nearest ancestor."""
    return _lines_of(text, [loc]).get(loc)


def _lines_of(text: str, locs: list[tuple[str | int, ...]]) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of the node at each location, or of its nearest existing ancestor.

    One pass over the parser's events (YAML is, near enough, a superset of JSON,
    so it serves both formats): composing a node tree resolves every scalar's
    type in Python and took seconds on a large file; composing once a fault made
    a long list of faults quadratic.

    Examples
    --------
    >>> _lines_of("id: s\\nunits:\\n  - id: a\\n    kind: 7\\n", [("units", 0, "kind"), ("units", 3)])
    {('units', 0, 'kind'): 4, ('units', 3): 2}
    """
    wanted = {loc[:k] for loc in locs for k in range(len(loc) + 1)}
    found: dict[tuple[str | int, ...], int] = {}
    # Each open container: [path, next index (sequence) or current key (mapping), expecting a key, key line]
    stack: list[list[Any]] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                                      yaml.AliasEvent)):
                continue
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            here: tuple[Any, ...] = ()
            if stack:
                top = stack[-1]
                if top[2] is True:  # a mapping's key
                    top[1] = event.value if isinstance(event, yaml.ScalarEvent) else None
                    top[2], top[3] = False, line
                    here = (*top[0], None)  # a complex key's insides are never a fault's location
                elif top[2] is False:  # that key's value: located at its key, as a person reads it
                    here, line = (*top[0], top[1]), top[3]
                    top[2] = True
                else:  # a sequence's item
                    here = (*top[0], top[1])
                    top[1] += 1
            if here in wanted:
                found[here] = line
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([here, None, True, None])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([here, 0, None, None])
    except (yaml.YAMLError, RecursionError, ValueError):
        pass
    out: dict[tuple[str | int, ...], int] = {}
    for loc in locs:
        for k in range(len(loc), -1, -1):
            if loc[:k] in found:
                out[loc] = found[loc[:k]]
                break
    return out


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
    try:
        return _write_atomic(path, text)
    except OSError as exc:  # named by the file asked for, not by the temporary file beside it
        raise OSError(exc.errno, f"cannot write: {exc.strerror or exc}", str(path)) from None


def _write_atomic(path: Path, text: str | bytes) -> Path:
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
