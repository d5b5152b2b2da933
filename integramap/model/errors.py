"""Errors that name where a problem is and what was expected.

Every check in IntegraMap reports :class:`Problem` values rather than raising
at the first fault, so a person fixing a file sees every fault at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..wording import plural


Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """Render a location tuple as a path a person can read.

    Examples
    --------
    >>> format_loc(("links", 3, "target"))
    'links[3].target'
    >>> format_loc(())
    '(site)'

    A key a file made up is shortened: the path says where, not what the key holds.

    >>> format_loc(("units", 0, "footprint", "9" * 500))
    'units[0].footprint.999999999999999999999999999999999999999…'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = _cut(str(part), LOC_PART)
            out += f".{name}" if out else name
    return out or "(site)"


LOC_PART = 40
"""The longest key shown whole in a location; longer ones come from a hostile or broken file."""


@dataclass(frozen=True)
class Problem:
    """One fault: where it is, what is wrong, and (where known) the file line."""

    loc: Loc
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return format_loc(self.loc)

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line is not None else ""
        return f"{at}{self.where}: {self.message}"


@dataclass
class SiteError(ValueError):
    """A site (or a file holding one) failed validation.

    ``problems`` lists every fault found; ``source`` names the file where the
    site came from one.
    """

    problems: list[Problem]
    source: str | None = None
    summary: str = field(default="is not a valid site")

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        """The message as shown to a person: a heading, then one fault a line."""
        head = f"{self.source}: " if self.source else ""
        n = len(self.problems)
        lines = [f"{head}{self.summary} ({plural(n, 'problem')})"]
        # A problem's own text is short, but it can quote what it found: never let that flood a terminal.
        lines += [f"  - {_cut(str(p))}" for p in self.problems[:limit]]
        if n > limit:
            lines.append(f"  … and {n - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def with_source(self, source: str) -> "SiteError":
        return SiteError(list(self.problems), source=source, summary=self.summary)

    @classmethod
    def single(cls, message: str, source: str | None = None, line: int | None = None,
               loc: Loc = ()) -> "SiteError":
        """An error with one problem, for faults before any structure exists (bad YAML…)."""
        return cls([Problem(loc, message, line)], source=source, summary="could not be read")


class IntegrityError(ValueError):
    """Cross-reference faults found in an otherwise well-formed site.

    Raised from the :class:`~integramap.model.Site` validator; pydantic keeps the
    exception in the error context so :func:`problems_from_validation` can
    expand it back into separate problems.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def problems_from_validation(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Turn pydantic's ``ValidationError.errors()`` into :class:`Problem` values."""
    problems: list[Problem] = []
    for err in errors:
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, IntegrityError):
            problems.extend(inner.problems)
            continue
        loc = tuple(err.get("loc", ()))
        problems.append(Problem(loc, _describe(err)))
    return problems


def _describe(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    given = err.get("input")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `integramap schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"{short_repr(given)} is not allowed; expected one of {expected}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if given is not None and not isinstance(given, (dict, list)):
        return f"{msg} (got {short_repr(given)})"
    return msg


def short_repr(value: Any, limit: int = 60) -> str:
    """A value as Python writes it, cut to ``limit`` characters: error messages never echo a whole cell.

    Examples
    --------
    >>> short_repr("x" * 100, 10)
    "'xxxxxxxx…"
    """
    return _cut(repr(value), limit)


def _cut(text: str, limit: int = 2000) -> str:
    """The text, ended with "…" where it runs over ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
