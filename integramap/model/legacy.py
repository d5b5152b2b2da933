"""Opening revisions saved before names and notes refused control characters.

Names now refuse control and bidirectional characters, and free text refuses control characters
other than line breaks and tabs. A revision stored before that rule must still open: history is
never lost. Only a field whose sole fault is such a character is cleaned, in the loaded copy;
the stored revision is not changed, and any other fault is still reported.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from .errors import Loc, Problem
from .site import _BIDI_CONTROLS, _TEXT_CONTROLS_ALLOWED

_CONTROL_FAULT = "control character"
_NAME_RULE = "a name is one line"


def is_control_character_fault(problem: Problem) -> bool:
    """Whether ``problem`` is a name or text holding a control or bidirectional character.

    Examples
    --------
    >>> is_control_character_fault(Problem(("name",), "holds a control character (U+001B) at character 5; "
    ...                                                 "a name is one line of plain text"))
    True
    >>> is_control_character_fault(Problem(("kind",), "expected one of team, pcn"))
    False
    """
    return problem.message.startswith("holds a ") and _CONTROL_FAULT in problem.message


def clean_name(value: str) -> str:
    """A name on one line: control characters become spaces, bidirectional controls go.

    Examples
    --------
    >>> clean_name("Team\\x1b[2J West\\u202e")
    'Team [2J West'
    """
    out = []
    for ch in value:
        if ch in _BIDI_CONTROLS:
            continue
        out.append(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch)
    return "".join(out).strip() or "(unnamed)"


def clean_text(value: str) -> str:
    """Free text with control characters other than line breaks and tabs taken out.

    Examples
    --------
    >>> clean_text("line one\\x00\\nline two")
    'line one\\nline two'
    """
    return "".join(ch for ch in value
                   if not ((unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS_ALLOWED)
                           or ch in "\ufffe\uffff"))


def repair_control_characters(data: Any, problems: list[Problem]) -> tuple[Any, int] | None:
    """A copy of ``data`` with the fields ``problems`` name cleaned, and how many were cleaned.

    ``None`` when any problem is of another kind, or names a field that is not text: then the
    document is as broken as its problems say and nothing is repaired.

    Examples
    --------
    >>> data = {"name": "Site\\x07", "units": [{"id": "a", "name": "A\\u202e"}]}
    >>> problems = [Problem(("name",), "holds a control character (U+0007) at character 5; "
    ...                                "a name is one line of plain text"),
    ...             Problem(("units", 0, "name"), "holds a bidirectional control character (U+202E) "
    ...                                           "at character 2; a name is one line of plain text")]
    >>> repaired, count = repair_control_characters(data, problems)
    >>> repaired["name"], repaired["units"][0]["name"], count
    ('Site', 'A', 2)
    >>> data["name"]
    'Site\\x07'
    """
    if not problems or not all(is_control_character_fault(p) for p in problems):
        return None
    repaired = copy.deepcopy(data)
    for problem in problems:
        holder, key = _locate(repaired, problem.loc)
        if holder is None:
            return None
        value = holder[key]
        if not isinstance(value, str):
            return None
        holder[key] = clean_name(value) if _NAME_RULE in problem.message else clean_text(value)
    return repaired, len(problems)


def _locate(data: Any, loc: Loc) -> tuple[Any, str | int] | tuple[None, None]:
    """The container holding the value at ``loc`` and its key there."""
    if not loc:
        return None, None
    node = data
    for step in loc[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None, None
    last = loc[-1]
    try:
        node[last]
    except (KeyError, IndexError, TypeError):
        return None, None
    return node, last
