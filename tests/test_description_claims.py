"""The Riverside description and the README's claims about it, each checked against the file.

Every claim the issue found unsupported is walked here: what is merged, what the
sector pairs say, the built-in unmanaged interface, and the challenge wording.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from integramap.analysis.typology import describe_site
from integramap.io import read_site
from integramap.io.export_markdown import descriptor_to_markdown
from integramap.model import Level, Site

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def riverside() -> Site:
    return read_site(ROOT / "models" / "riverside-borough.yaml")


def test_only_adult_social_care_and_district_nursing_are_fully_merged(riverside: Site) -> None:
    merged = {frozenset((riverside.unit(lk.source).name, riverside.unit(lk.target).name))
              for lk in riverside.links if lk.level == Level.FULLY_MERGED}
    assert merged == {frozenset(("Adult Social Care – North", "District Nursing – North")),
                      frozenset(("Adult Social Care – Central", "District Nursing – Central"))}
    readme = (ROOT / "README.md").read_text()
    assert "functionally merged" not in readme
    assert "adult social care and district nursing fully merged in two of three localities" in readme


def test_sector_pairs_say_what_each_link_joins(riverside: Site) -> None:
    pairs = {p.pair: p for p in describe_site(riverside).sector_pairs}
    mh_ch = pairs["mental_health+community_health"]
    # The only direct link is mh-ch-physical-health (closer working); co-location comes from the hub.
    assert (mh_ch.links, mh_ch.highest) == (1, Level.CLOSER_WORKING)
    assert mh_ch.highest_through_shared == Level.CO_LOCATED
    assert riverside.link("mh-ch-physical-health").level == Level.CLOSER_WORKING
    for same in ("mental_health+mental_health", "community_health+community_health"):
        assert pairs[same].links == 0 and pairs[same].highest is None and pairs[same].through_shared > 0


def test_the_built_in_unmanaged_interface_leads_the_description(riverside: Site) -> None:
    unmanaged = describe_site(riverside).boundary_alignment.unmanaged
    top = {frozenset((m.a_name, m.b_name)) for m in unmanaged[:2]}
    assert top == {frozenset(("Community Frailty Team", "Memory Assessment Service")),
                   frozenset(("Community Frailty Team", "Older Adults' Community Mental Health Team"))}
    assert [m.population for m in unmanaged] == sorted((m.population for m in unmanaged), reverse=True)
    md = descriptor_to_markdown(describe_site(riverside))
    assert "Community Frailty Team" in md.split("## Unmanaged interfaces")[1]


def test_a_challenge_claims_only_the_level_the_link_records(riverside: Site) -> None:
    link = riverside.link("s75-mental-health")
    assert str(link.facets.management) == "joint"
    text = " ".join(c.explanation for c in describe_site(riverside).structural_challenges if c.link == link.id)
    assert "share management" not in text


def test_description_sentences_are_grammatical(riverside: Site) -> None:
    md = descriptor_to_markdown(describe_site(riverside))
    assert "1 link run " not in md and "(merged governance) (merged governance)" not in md


def test_merged_governance_is_said_once(riverside: Site) -> None:
    text = " ".join(c.explanation for c in describe_site(riverside).structural_challenges)
    assert "have merged governance" in text and "merged governance (merged governance)" not in text


def test_word_at_a_glance_table_has_a_header(riverside: Site, tmp_path: Path) -> None:
    from docx import Document

    from integramap.io.export_docx import write_descriptor_docx

    path = write_descriptor_docx(describe_site(riverside), tmp_path / "r.docx")
    first = Document(str(path)).tables[0].rows[0].cells
    assert [c.text for c in first] == ["Aspect", "This site"]


PLURAL_SLIPS = re.compile(r"(?<![\d.,])1 (links|pairs|units|practices|areas|straddles|gaps|steps|level steps|"
                          r"organisations|sectors|mismatches|PCNs|LCNs|teams|challenges)\b|\b(?:[02-9]|\d\d+) "
                          r"(link|pair|straddle|gap|mismatch|organisation|challenge) (?:run|aim|lie)s?\b"
                          r"|\b1 \w+ (run|aim|lie|reach)\b")


@pytest.mark.parametrize("name", ["riverside-borough", "northvale-camhs", "eastmoor-icp"])
def test_no_plural_slips_in_any_written_description(name: str) -> None:
    from integramap.analysis.boundaries import analyse
    from integramap.analysis.boundary_format import format_report

    site = read_site(ROOT / "models" / f"{name}.yaml")
    texts = [descriptor_to_markdown(describe_site(site))]
    texts += [format_report(analyse(site, a, b)) for a, b in (("pcn", "lcn"), ("lcn", "local_authority"),
                                                              ("pcn", "local_authority"), ("team", "team"))]
    for text in texts:
        assert not PLURAL_SLIPS.search(text), PLURAL_SLIPS.search(text)
