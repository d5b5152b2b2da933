"""The typology code's grammar: written from parts, parsed back, malformed codes refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integramap.analysis.typology_code import EXPLANATION, format_code, parse_code
from integramap.model import AgeGroup, Level

parts = st.fixed_dictionaries({
    "basis": st.sampled_from(["geographic", "functional", "mixed", "unknown"]),
    "age_groups": st.lists(st.sampled_from([str(a) for a in AgeGroup]), unique=True).map(
        lambda ages: [str(a) for a in AgeGroup if str(a) in ages]),
    "sector_count": st.integers(0, 10),
    "highest_level": st.one_of(st.none(), st.sampled_from([str(lv) for lv in Level])),
    "breadth": st.sampled_from(["horizontal", "vertical", "both", "none"]),
    "rainbow_types": st.integers(0, 4),
    "functional_enabler": st.booleans(),
    "normative_enabler": st.booleans(),
    "coterminosity": st.one_of(st.none(), st.integers(0, 100).map(lambda n: n / 100)),
})


@given(parts)
def test_every_code_parses_back_to_its_parts(p: dict[str, object]) -> None:
    code = format_code(**p)  # type: ignore[arg-type]
    assert parse_code(code) == p
    assert format_code(**parse_code(code)) == code


def test_the_documented_example() -> None:
    parts = parse_code("G-AO-4S-FM/HV-R4fn-C0.67")
    assert parts == {"basis": "geographic", "age_groups": ["adults", "older_people"], "sector_count": 4,
                     "highest_level": "fully_merged", "breadth": "both", "rainbow_types": 4,
                     "functional_enabler": True, "normative_enabler": True, "coterminosity": 0.67}


def test_coterminosity_is_rounded_and_clamped() -> None:
    assert format_code("mixed", [], 1, "interface", "none", 0, False, True, 0.8978).endswith("-R0n-C0.90")
    assert format_code("mixed", [], 1, "interface", "none", 0, False, True, 1.0000001).endswith("-C1.00")


@pytest.mark.parametrize("bad", [
    "", "G-AO-4S", "G-AO-4S-FM/HV-R4fn-C0.67-extra", "Q-AO-4S-FM/HV-R4fn-C0.67",
    "G--4S-FM/HV-R4fn-C0.67", "G-OA-4S-FM/HV-R4fn-C0.67", "G-AO-4S-XX/HV-R4fn-C0.67",
    "G-AO-4S-FM/VH-R4fn-C0.67", "G-AO-4S-FM/HV-R5-C0.67", "G-AO-4S-FM/HV-R4nf-C0.67",
    "G-AO-4S-FM/HV-R4-C1.50", "G-AO-4S-FM/HV-R4-C0.6", "g-ao-4s-fm/hv-r4-c0.67",
])
def test_malformed_codes_are_refused_with_what_was_expected(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a typology code; expected six parts"):
        parse_code(bad)


def test_non_text_is_refused() -> None:
    with pytest.raises(ValueError, match="not a typology code"):
        parse_code(42)  # type: ignore[arg-type]


def test_explanation_covers_every_letter() -> None:
    for token in ("G geographic", "F functional", "M mixed", "C children", "A adults", "O older people",
                  "IF interface", "FM fully merged", "NL no links", "HV both", "C-"):
        assert token in EXPLANATION
