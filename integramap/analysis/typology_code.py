"""The typology code: a site's integration model in one short string, and its grammar.

Grammar (six parts joined by ``-``)::

    code      = basis "-" ages "-" sectors "S" "-" level "/" breadth "-" rainbow "-" "C" coterm
    basis     = "G" | "F" | "M" | "U"           geographic, functional, mixed, unknown
    ages      = ["C"] ["A"] ["O"] | "X"         children, adults, older people; X = none recorded
    sectors   = digits                          how many sectors take part
    level     = "IF" | "CW" | "CL" | "PM" | "MG" | "FM" | "NL"
                                                highest link level; NL = no links
    breadth   = "H" | "V" | "HV" | "N"          horizontal, vertical, both, neither
    rainbow   = "R" digit ["f"] ["n"]           Rainbow types present (0-4); f/n = functional
                                                and normative enablers present
    coterm    = digit "." digit digit | "-"     lowest coterminosity of the layers that
                                                matter; "-" = no layers to compare

For example ``G-AO-4S-FM/HV-R4fn-C0.67``: "geographic; adults and older
people; four sectors; fully merged at most, horizontal and vertical; all
four Rainbow types with both enablers; coterminosity 0.67".
"""

from __future__ import annotations

import re
from typing import Any

from ..model import AgeGroup, Level
from .typology_terms import LEVEL_ABBREVIATIONS

BASIS_LETTERS: dict[str, str] = {"geographic": "G", "functional": "F", "mixed": "M", "unknown": "U"}
AGE_LETTERS: dict[AgeGroup, str] = {AgeGroup.CHILDREN: "C", AgeGroup.ADULTS: "A",
                                    AgeGroup.OLDER_PEOPLE: "O"}
BREADTH_LETTERS: dict[str, str] = {"horizontal": "H", "vertical": "V", "both": "HV", "none": "N"}
NO_LINKS = "NL"

_LEVEL_BY_ABBREVIATION = {v: k for k, v in LEVEL_ABBREVIATIONS.items()}
_CODE = re.compile(
    r"^(?P<basis>[GFMU])-(?P<ages>X|(?=[CAO])C?A?O?)-(?P<sectors>\d{1,3})S-"
    r"(?P<level>IF|CW|CL|PM|MG|FM|NL)/(?P<breadth>HV|H|V|N)-"
    r"R(?P<rainbow>[0-4])(?P<functional>f?)(?P<normative>n?)-C(?P<coterm>0\.\d\d|1\.00|-)$"
)

EXPLANATION = """\
Typology code: six parts joined by "-", e.g. G-AO-4S-FM/HV-R4fn-C0.67

  1  basis        G geographic, F functional, M mixed, U unknown (from the teams' basis)
  2  ages         C children, A adults, O older people, in that order; X none recorded
  3  sectors      number of sectors taking part, then S (4S = four sectors)
  4  depth/breadth
                  highest link level: IF interface, CW closer working, CL co-located,
                  PM pooled management, MG merged governance, FM fully merged, NL no links;
                  then "/" and the breadth of links: H horizontal (within one tier of care),
                  V vertical (across primary, secondary/tertiary and social care),
                  HV both, N neither
  5  rainbow      R and the number of Valentijn Rainbow-model types present (system,
                  organisational, professional, clinical: 0-4), then f if the functional
                  enabler is present and n if the normative enabler is present
  6  alignment    C and the lowest coterminosity of PCN-LCN, LCN-local authority and
                  PCN-local authority, to two decimals (1.00 = every unit inside one);
                  C- where the site has no such layers

Read G-AO-4S-FM/HV-R4fn-C0.67 aloud as: "geographic; adults and older people; four
sectors; fully merged at most, horizontal and vertical; rainbow four with functional
and normative enablers; coterminosity nought point six seven".
"""


def format_code(
    basis: str,
    age_groups: list[AgeGroup] | list[str],
    sector_count: int,
    highest_level: Level | str | None,
    breadth: str,
    rainbow_types: int,
    functional_enabler: bool,
    normative_enabler: bool,
    coterminosity: float | None,
) -> str:
    """Write the typology code from its parts (the inverse of :func:`parse_code`).

    Examples
    --------
    >>> format_code("geographic", ["adults", "older_people"], 4, "fully_merged", "both", 4,
    ...             True, True, 0.667)
    'G-AO-4S-FM/HV-R4fn-C0.67'
    >>> format_code("unknown", [], 0, None, "none", 0, False, False, None)
    'U-X-0S-NL/N-R0-C-'
    """
    ages = "".join(letter for age, letter in AGE_LETTERS.items() if age in {AgeGroup(a) for a in age_groups})
    level = NO_LINKS if highest_level is None else LEVEL_ABBREVIATIONS[Level(highest_level)]
    coterm = "-" if coterminosity is None else f"{min(max(coterminosity, 0.0), 1.0):.2f}"
    enablers = ("f" if functional_enabler else "") + ("n" if normative_enabler else "")
    return (f"{BASIS_LETTERS[basis]}-{ages or 'X'}-{sector_count}S-{level}/{BREADTH_LETTERS[breadth]}"
            f"-R{rainbow_types}{enablers}-C{coterm}")


def parse_code(code: str) -> dict[str, Any]:
    """Read a typology code back into its parts; ``ValueError`` says what was expected.

    Examples
    --------
    >>> parts = parse_code("F-C-2S-CL/V-R2n-C-")
    >>> parts["basis"], parts["age_groups"], parts["highest_level"], parts["coterminosity"]
    ('functional', ['children'], 'co_located', None)
    >>> format_code(**parts)
    'F-C-2S-CL/V-R2n-C-'
    >>> parse_code("G-AO-4S")
    Traceback (most recent call last):
    ...
    ValueError: 'G-AO-4S' is not a typology code; expected six parts like G-AO-4S-FM/HV-R4fn-C0.67 ...
    """
    match = _CODE.match(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"{code!r} is not a typology code; expected six parts like "
                         "G-AO-4S-FM/HV-R4fn-C0.67 (see `integramap describe --explain-code`)")
    g = match.groupdict()
    basis = {v: k for k, v in BASIS_LETTERS.items()}[g["basis"]]
    ages = [str(age) for age, letter in AGE_LETTERS.items() if letter in g["ages"]]
    level = None if g["level"] == NO_LINKS else str(_LEVEL_BY_ABBREVIATION[g["level"]])
    return {
        "basis": basis,
        "age_groups": ages,
        "sector_count": int(g["sectors"]),
        "highest_level": level,
        "breadth": {v: k for k, v in BREADTH_LETTERS.items()}[g["breadth"]],
        "rainbow_types": int(g["rainbow"]),
        "functional_enabler": g["functional"] == "f",
        "normative_enabler": g["normative"] == "n",
        "coterminosity": None if g["coterm"] == "-" else float(g["coterm"]),
    }
