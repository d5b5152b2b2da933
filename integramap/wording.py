"""Counts and keys in the words a manager reads: "1 link", "3 links", "co-located".

Reports, exports and pages all speak of counts; "link(s)" reads like a form,
so every count goes through :func:`plural`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["first_upper", "in_words", "listed", "plural"]

_SPECIAL_KEYS = {"co_located": "co-located"}
"""Keys whose plain-words form is not just the key with spaces."""

_ACRONYMS = {"it": "IT", "hr": "HR", "nhs": "NHS", "gp": "GP", "pcn": "PCN", "lcn": "LCN",
             "icb": "ICB", "ics": "ICS", "camhs": "CAMHS", "vcse": "VCSE"}
"""Words of a key that are written in capitals."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count and its noun, singular for exactly one.

    Examples
    --------
    >>> plural(1, "link"), plural(3, "link"), plural(0, "gap"), plural(1459, "link")
    ('1 link', '3 links', '0 gaps', '1,459 links')
    >>> plural(2, "double cover", "double covers"), plural(2, "level step")
    ('2 double covers', '2 level steps')
    """
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}"


def listed(items: Sequence[str], last: str = "and") -> str:
    """Items as a sentence lists them: commas, and ``last`` before the final one.

    Examples
    --------
    >>> listed(["Riverside"]), listed(["Riverside", "Eastmoor"]), listed(["A", "B", "C"], "or")
    ('Riverside', 'Riverside and Eastmoor', 'A, B or C')
    >>> listed(["Riverside and Eastmoor", "Northvale"], "or")
    'Riverside and Eastmoor or Northvale'
    """
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def first_upper(text: str) -> str:
    """Text with its first letter in capitals and the rest as written: ``LCNs`` stays ``LCNs``.

    Examples
    --------
    >>> first_upper("local authorities"), first_upper("LCNs"), first_upper(in_words("it"))
    ('Local authorities', 'LCNs', 'IT')
    """
    return text[:1].upper() + text[1:]


def in_words(key: object) -> str:
    """A vocabulary key in words: ``pooled_management`` → ``pooled management``.

    Examples
    --------
    >>> in_words("pooled_management"), in_words("co_located"), in_words(None)
    ('pooled management', 'co-located', 'none')
    >>> in_words("mental_health+social_care")
    'mental health + social care'
    >>> in_words("nhs_trust"), in_words("gp_federation"), in_words("it")
    ('NHS trust', 'GP federation', 'IT')
    """
    if key is None:
        return "none"
    return " + ".join(_SPECIAL_KEYS.get(part) or " ".join(_ACRONYMS.get(w, w) for w in part.split("_"))
                      for part in str(key).split("+"))
