"""The plain records NHS and ONS reference files are read into, before a site is built.

Readers of each file format produce these; :mod:`integramap.io.nhs` joins and
filters them and builds one site. Keeping them plain (no validation per
record) is what makes the national files quick to import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNALLOCATED_PCN = "U"
"""The PCN code NHS files give practices that belong to no PCN."""

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
"""ODS and ONS codes: letters and digits (a few ODS test codes carry ``-``)."""


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    """One GP practice and the networks and commissioners above it.

    ``lsoa`` is ``None`` where the file gives no LSOA: the practice's
    registered list is then its area. ``pcn_code`` is ``None`` for a practice
    in no PCN (code ``U`` or blank).
    """

    code: str
    name: str
    line: int
    pcn_code: str | None = None
    pcn_name: str = ""
    sub_icb_code: str = ""
    sub_icb_name: str = ""
    icb_code: str = ""
    icb_name: str = ""
    lsoa: str | None = None
    ons_sub_icb_code: str = ""
    ons_icb_code: str = ""
    pcn_sub_icb_code: str = ""
    pcn_sub_icb_name: str = ""


@dataclass(frozen=True, slots=True)
class LsoaRecord:
    """One LSOA and the local authority district (and upper tier) it lies in."""

    code: str
    name: str
    lad_code: str
    lad_name: str
    utla_code: str = ""
    utla_name: str = ""
    region: str = ""
    line: int = 0


def is_code(value: str) -> bool:
    """Whether a cell holds something shaped like an ODS or ONS code.

    Examples
    --------
    >>> is_code("A81001"), is_code("E01000001"), is_code("not a code"), is_code("")
    (True, True, False, False)
    """
    return bool(value) and len(value) <= 40 and CODE_PATTERN.match(value) is not None


def pcn_code_or_none(value: str) -> str | None:
    """A PCN code, or ``None`` where the practice is unallocated.

    Examples
    --------
    >>> pcn_code_or_none("U89141"), pcn_code_or_none("U"), pcn_code_or_none("")
    ('U89141', None, None)
    """
    value = value.strip().upper()
    return None if value in ("", UNALLOCATED_PCN) else value
