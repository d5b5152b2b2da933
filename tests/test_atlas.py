"""``integramap atlas``: every ICB as a comparable site, on a small fictional lookup and the real files."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from conftest import FIXTURES, shared_file

from integramap.analysis.atlas import atlas, icb_site
from integramap.analysis.atlas_format import ATLAS_CSV_COLUMNS
from integramap.cli import main
from integramap.io.nhs import import_nhs
from integramap.model import validate_site

LOOKUP = FIXTURES / "nhs" / "practice_pcn_lookup.csv"
LSOA_LAD = FIXTURES / "nhs" / "lsoa21_to_lad.csv"
Q99 = '"E38900001","99A","NHS Riverside ICB - 99A","E54900001","Q99","NHS Riverside Integrated Care Board"'
Q98 = '"E38900003","98X","NHS Hillshire ICB - 98X","E54900002","Q98","NHS Hillshire Integrated Care Board"'


@pytest.fixture
def lookup(tmp_path: Path) -> Path:
    """The fictional lookup with Quayside Practice (Ferry PCN) in Hillshire's ICB: a PCN across two ICBs."""
    lines = LOOKUP.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(Q99, Q98) if '"Z10003"' in line else line for line in lines]
    path = tmp_path / "lookup.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_atlas(capsys: pytest.CaptureFixture[str], lookup: Path, *extra: str) -> str:
    assert main(["atlas", "--practices", str(lookup), "--lsoa-lad", str(LSOA_LAD), *extra]) == 0
    return capsys.readouterr().out


def test_each_icb_holds_its_pcns_whole(capsys: pytest.CaptureFixture[str], lookup: Path) -> None:
    data = json.loads(run_atlas(capsys, lookup, "--format", "json"))
    by_code = {icb["code"]: icb for icb in data["icbs"]}
    assert list(by_code) == ["Q98", "Q99"]
    q99, q98 = by_code["Q99"], by_code["Q98"]
    assert (q99["practices"], q99["pcns"], q99["unallocated_practices"]) == (6, 3, 1)
    assert (q98["practices"], q98["pcns"], q98["unallocated_practices"]) == (3, 2, 0)
    # Ferry PCN has practices in both ICBs: both hold it whole, and both mark it.
    assert q99["shared_pcns"] == q98["shared_pcns"] == ["U90001"]
    for icb, other in ((q99, "Q98"), (q98, "Q99")):
        [ferry] = [s for s in icb["straddles"]["local_authority"] if s["pcn"] == "U90001"]
        assert ferry["name"] == "FERRY PCN" and ferry["other_icbs"] == [other]
        assert ferry["split"] == {"LAD:E09900001": pytest.approx(2 / 3), "LAD:E09900002": pytest.approx(1 / 3)}
    # Bridge PCN: one practice in each of Riverside's two sub-ICB locations; Ferry PCN now
    # reaches Hillshire's too.
    assert [(s["pcn"], s["split"]) for s in q99["straddles"]["place"]] == [
        ("U90002", {"LOC:99A": 0.5, "LOC:99B": 0.5}),
        ("U90001", {"LOC:99A": pytest.approx(2 / 3), "LOC:98X": pytest.approx(1 / 3)})]
    assert set(q99["coterminosity"]["local_authority"]) == {"people", "units"}
    assert q99["coterminosity"]["local_authority"]["units"] == pytest.approx(2 / 3)
    assert q99["typology_code"].startswith("U-X-")


def test_an_icb_cut_out_is_a_valid_site(lookup: Path) -> None:
    national = import_nhs(practices=lookup, lsoa_lad=LSOA_LAD)
    for unit in national.units:
        if str(unit.kind) == "system":
            cut = icb_site(national, unit.id)
            again = validate_site(cut.model_dump(mode="json"))  # every reference resolves
            assert {u.id for u in again.units} >= {"U90001", "Z10001", "Z10002", "Z10003"}


def test_text_markdown_and_csv(capsys: pytest.CaptureFixture[str], lookup: Path, tmp_path: Path) -> None:
    text = run_atlas(capsys, lookup)
    assert text.startswith("The atlas of integrated care boards: 2 ICBs\n")
    assert "    - FERRY PCN (also in Q98): 67% Northbank, 33% Southbank" in text
    md = run_atlas(capsys, lookup, "--format", "md")
    assert md.startswith("# The atlas of integrated care boards\n")
    assert "## NHS Riverside Integrated Care Board (Q99)" in md
    out = tmp_path / "atlas.csv"
    assert main(["atlas", "--practices", str(lookup), "--lsoa-lad", str(LSOA_LAD), "--format", "csv",
                 "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ATLAS_CSV_COLUMNS
    q99 = next(r for r in rows if r["code"] == "Q99")
    assert (q99["pcns_across_districts"], q99["pcns_across_locations"], q99["shared_pcns"]) == ("1", "2", "1")
    assert q99["district_coterminosity_units"] == "0.6667"


def test_the_atlas_needs_practices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["atlas", "--lsoa-lad", str(LSOA_LAD)]) == 1
    assert "needs the practices" in capsys.readouterr().err


@pytest.mark.realdata
def test_the_atlas_reproduces_every_icbs_straddles_from_the_public_files() -> None:
    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    found = atlas(import_nhs(practices=practices, lsoa_lad=lsoa_lad))
    assert len(found.icbs) == 42

    # The same question by a plain join of the two files: a PCN belongs to every ICB one of its
    # practices is in, and straddles where its practices lie in two or more districts.
    with lsoa_lad.open(newline="", encoding="utf-8-sig") as fh:
        lad_of = {row["LSOA21CD"]: row["LAD_CD"] for row in csv.DictReader(fh)}
    districts: dict[str, Counter[str]] = defaultdict(Counter)
    icbs_of_pcn: dict[str, set[str]] = defaultdict(set)
    with practices.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["PCN_CODE"] in ("", "U"):
                continue
            icbs_of_pcn[row["PCN_CODE"]].add(row["ICB_CODE"])
            if row["PRAC_LSOA21"] in lad_of:
                districts[row["PCN_CODE"]]["LAD:" + lad_of[row["PRAC_LSOA21"]]] += 1
    for icb in found.icbs:
        expected = {}
        for pcn, count in districts.items():
            if icb.code in icbs_of_pcn[pcn] and len(count) > 1:
                total = sum(count.values())
                expected[pcn] = {lad: n / total for lad, n in count.items()}
        got = {s.pcn: s.split for s in icb.straddles["local_authority"]}
        assert got.keys() == expected.keys(), icb.code
        for pcn, split in expected.items():
            assert got[pcn] == pytest.approx(split), (icb.code, pcn)


def test_the_readme_shows_the_real_atlas(capsys: pytest.CaptureFixture[str]) -> None:
    practices = shared_file("nhs-reference", "practice_pcn_lookup_2024.csv")
    lsoa_lad = shared_file("nhs-reference", "lsoa21_to_lad.csv")
    assert main(["atlas", "--practices", str(practices), "--lsoa-lad", str(lsoa_lad)]) == 0
    out = capsys.readouterr().out
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ integramap atlas ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    shown = [line.strip() for line in block if line.strip() != "…"]
    real = [" ".join(line.split()) for line in out.splitlines()]
    # Each line shown is a line of the real report, spacing aside, in the same order.
    at = -1
    for line in shown:
        at = real.index(" ".join(line.split()), at + 1)
    assert len(shown) >= 5
    assert "- CROXTED PCN: 67% Lambeth, 33% Southwark" in shown
