"""What-if reports: the Riverside example scenarios, the report's figures and ``integramap whatif``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MODELS

from integramap.analysis.boundaries import coterminosity, straddles
from integramap.analysis.whatif import coterminosity_figures, what_if
from integramap.analysis.whatif_format import format_whatif
from integramap.cli import main
from integramap.io import read_site, write_site
from integramap.io.scenariofile import read_scenario
from integramap.model import Site
from integramap.scenario import validate_scenario
from integramap.store import Store

RIVERSIDE = MODELS / "riverside-borough.yaml"
MOVE = MODELS / "scenarios" / "riverside-southern-practices.yaml"
SPLIT = MODELS / "scenarios" / "riverside-split-riverbend.yaml"


@pytest.fixture(scope="module")
def riverside() -> Site:
    return read_site(RIVERSIDE)


def test_the_southern_practices_are_riverbends_practices_in_south_lcn(riverside: Site) -> None:
    # The example scenario moves exactly the Riverbend practices that lie in South LCN's footprint.
    south = set(riverside.unit("lcn-south").footprint)
    southern = sorted(u for u in riverside.children_by_id["pcn-riverbend"]
                      if set(riverside.unit(u).footprint) <= south)
    assert southern == ["p11", "p12"]
    assert read_scenario(MOVE).steps()[0][1].model_dump(exclude_unset=True) == {"units": southern,
                                                                                  "to": "pcn-south"}


def test_moving_the_southern_practices_removes_the_straddle_and_says_what_it_costs(riverside: Site) -> None:
    report = what_if(riverside, read_scenario(MOVE))
    assert [s.unit for s in report.before.straddles["pcn/lcn"]] == ["pcn-riverbend"]
    assert report.after.straddles["pcn/lcn"] == []
    delta = report.delta
    assert [f.id for f in delta.straddles["pcn/lcn"].lost] == ["pcn-riverbend"]
    assert delta.straddles["pcn/lcn"].gained == []
    # The interface nobody managed (Riverbend and South LCN) closes; none opens in its place.
    assert [f.id for f in delta.unmanaged_interfaces["pcn/lcn"].lost] == ["pcn-riverbend|lcn-south"]
    assert all(not found.gained for found in delta.unmanaged_interfaces.values())
    # Both coterminosity figures reach 1, and the typology code's alignment part follows.
    assert delta.coterminosity["pcn/lcn"]["units"].before == pytest.approx(0.75)
    assert delta.coterminosity["pcn/lcn"]["people"].before == pytest.approx(
        coterminosity(riverside, "pcn", "lcn"))
    assert (delta.coterminosity["pcn/lcn"]["people"].after, delta.coterminosity["pcn/lcn"]["units"].after) == (1, 1)
    assert delta.code == {"before": "G-AO-5S-FM/HV-R4fn-C0.90", "after": "G-AO-5S-FM/HV-R4fn-C1.00"}
    # The cost: Riverbend PCN keeps under half its people; Fenwick and Southgate takes them on.
    assert [(p.id, p.before, p.after) for p in delta.populations] == [
        ("pcn-riverbend", 18220.0, 8360.0), ("pcn-south", 18690.0, 28550.0)]
    assert delta.changed_units == ["p11", "p12", "pcn-riverbend", "pcn-south"]
    # The site itself is untouched.
    assert riverside == read_site(RIVERSIDE)
    assert straddles(riverside, "pcn", "lcn")[0].unit == "pcn-riverbend"


def test_splitting_riverbend_closes_one_interface_and_opens_another(riverside: Site) -> None:
    report = what_if(riverside, read_scenario(SPLIT))
    interfaces = report.delta.unmanaged_interfaces["pcn/lcn"]
    assert [f.name for f in interfaces.lost] == ["Riverbend PCN and South Riverside Local Care Network"]
    assert [f.name for f in interfaces.gained] == ["Marlow Heath PCN and South Riverside Local Care Network"]
    assert report.delta.added_units == ["pcn-marlow-heath"]
    lines = format_whatif(report).splitlines()
    assert "  - Riverbend PCN no longer straddles two LCNs." in lines
    assert ("  - 1 new unmanaged interface: Marlow Heath PCN and South Riverside Local Care Network "
            "(9,860 people).") in lines
    assert "  - Marlow Heath PCN (new): 9,860 people." in lines


def test_a_merge_that_closes_one_interface_can_open_others() -> None:
    # Team B's interface with PCN 2 is run by its directorate. Merged into Team A (in the other
    # directorate), its people in PCN 2 are no longer reached by that link: the merger closes
    # Team B's unmanaged interface with PCN 1 and opens one with PCN 2.
    site = Site.model_validate({
        "id": "s", "name": "S", "areas": [{"id": a, "population": 100} for a in ("x", "y", "z")],
        "units": [
            {"id": "org", "name": "Trust", "kind": "organisation"},
            {"id": "dir-a", "name": "Directorate A", "kind": "directorate", "parent": "org"},
            {"id": "dir-b", "name": "Directorate B", "kind": "directorate", "parent": "org"},
            {"id": "a", "name": "Team A", "kind": "team", "parent": "dir-a", "footprint": {"x": 1}},
            {"id": "b", "name": "Team B", "kind": "team", "parent": "dir-b", "footprint": {"y": 1, "z": 1}},
            {"id": "p1", "name": "PCN 1", "kind": "pcn", "footprint": {"x": 1, "y": 1}},
            {"id": "p2", "name": "PCN 2", "kind": "pcn", "footprint": {"z": 1}},
        ],
        "links": [{"id": "l1", "source": "a", "target": "p1", "level": "interface"},
                  {"id": "l2", "source": "dir-b", "target": "p2", "level": "interface"}]})
    report = what_if(site, validate_scenario({"name": "Merge the teams", "edits": [
        {"merge": {"units": ["a", "b"], "name": "Team AB"}}]}), layers=[("team", "pcn")])
    found = report.delta.unmanaged_interfaces["team/pcn"]
    assert [f.name for f in found.lost] == ["Team B and PCN 1"]
    assert [f.name for f in found.gained] == ["Team AB and PCN 2"]
    assert [f.name for f in report.delta.straddles["team/pcn"].gained] == ["Team AB"]
    assert [f.name for f in report.delta.straddles["team/pcn"].lost] == ["Team B"]


def test_coterminosity_has_two_figures_that_differ() -> None:
    site = Site.model_validate({
        "id": "s", "name": "S", "areas": [{"id": "x", "population": 90}, {"id": "y", "population": 10},
                                          {"id": "z", "population": 50}],
        "units": [{"id": "p1", "name": "P1", "kind": "pcn", "footprint": {"x": 1, "y": 1}},
                  {"id": "p2", "name": "P2", "kind": "pcn", "footprint": {"z": 1}},
                  {"id": "l1", "name": "L1", "kind": "lcn", "footprint": {"x": 1, "z": 1}},
                  {"id": "l2", "name": "L2", "kind": "lcn", "footprint": {"y": 1}}]})
    figures = coterminosity_figures(site, "pcn", "lcn")
    assert figures.people == pytest.approx(140 / 150)
    assert figures.units == pytest.approx(0.5)
    assert coterminosity_figures(site, "pcn", "place").model_dump() == {"people": None, "units": None}


def test_json_has_before_after_and_delta_per_layer_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(MOVE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"before", "after", "delta"} <= set(data)
    for side in ("before", "after"):
        assert set(data[side]["straddles"]) == set(data[side]["coterminosity"]) == {
            "pcn/lcn", "lcn/local_authority", "pcn/local_authority"}
        assert set(data[side]["coterminosity"]["pcn/lcn"]) == {"people", "units"}
    assert data["before"]["straddles"]["pcn/lcn"][0]["split"] == {
        "lcn-south": pytest.approx(9860 / 18220), "lcn-central": pytest.approx(8360 / 18220)}
    assert data["delta"]["straddles"]["pcn/lcn"]["lost"][0]["name"] == "Riverbend PCN"


def test_text_and_markdown_say_what_changed_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(MOVE), "--layers", "pcn", "lcn"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("What if: Riverbend's southern practices join Fenwick and Southgate\n")
    assert "  - Riverbend PCN no longer straddles two LCNs.\n" in text
    assert ("  - 1 unmanaged interface closed: Riverbend PCN and South Riverside Local Care Network "
            "(9,860 people).\n") in text
    assert "  - Riverbend PCN: 18,220 → 8,360 people (−54%).\n" in text
    assert "local authorit" not in text  # only the layers asked for
    out = tmp_path / "paper.md"
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(MOVE), "--format", "md", "-o", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# What if: Riverbend's southern practices join Fenwick and Southgate\n")
    assert "| PCNs across LCNs | 1 | 0 |" in md
    assert "| PCN–LCN coterminosity, PCNs wholly in one | 75.0% | 100.0% |" in md


def test_a_stored_site_is_tried_by_its_id_and_never_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    with Store(db) as store:
        store.save(read_site(RIVERSIDE), author="Asha", message="start", base=None)
    assert main(["whatif", "riverside-borough", "--scenario", str(MOVE), "--database", db]) == 0
    assert "Riverbend PCN no longer straddles two LCNs." in capsys.readouterr().out
    with Store(db) as store:
        assert store.latest("riverside-borough") == 1
        assert store.get("riverside-borough").site.unit("p11").parent == "pcn-riverbend"
    assert main(["whatif", "nowhere", "--scenario", str(MOVE), "--database", db]) == 1
    assert "stored site's id" in capsys.readouterr().err


def test_a_change_kept_beside_a_stored_site_is_tried_by_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    with Store(db) as store:
        store.save(read_site(RIVERSIDE), author="Asha", message="start", base=None)
        store.save_scenario("riverside-borough", read_scenario(MOVE), author="Asha", base=1)
    name = read_scenario(MOVE).name
    assert main(["whatif", "riverside-borough", "--kept", name, "--database", db, "--layers", "pcn", "lcn"]) == 0
    assert "Riverbend PCN no longer straddles two LCNs." in capsys.readouterr().out
    assert main(["whatif", "riverside-borough", "--kept", "Something else", "--database", db]) == 1
    err = capsys.readouterr().err
    assert "No scenario called 'Something else'" in err and repr(name) in err
    assert main(["whatif", str(RIVERSIDE), "--kept", name, "--database", db]) == 1
    assert "stored site" in capsys.readouterr().err


@pytest.mark.parametrize(("scenario", "words"), [
    ("name: x\nedits:\n  - move: {unit: p11, to: pcn-nowhere}\n",
     "line 3: edits[0].move.to: no unit 'pcn-nowhere' in this site"),
    ("name: x\nedits:\n  - move: {unit: p11}\n", "line 3: edits[0].move.to: required field is missing"),
    ("name: x\nsite: eastmoor-icp\nedits: [{remove: {link: x}}]\n", "written for site 'eastmoor-icp'"),
])
def test_a_faulty_scenario_is_refused_naming_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      scenario: str, words: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(scenario, encoding="utf-8")
    out = tmp_path / "report.txt"
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and words in err
    assert not out.exists()


def test_bad_layers_and_a_revision_for_a_file_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(MOVE), "--layers", "pnc", "lcn"]) == 1
    assert "unknown layer 'pnc'" in capsys.readouterr().err
    assert main(["whatif", str(RIVERSIDE), "--scenario", str(MOVE), "--revision", "2"]) == 1
    assert "--revision is for a stored site" in capsys.readouterr().err
    copy = write_site(read_site(RIVERSIDE), tmp_path / "copy.json")
    assert main(["whatif", str(copy), "--scenario", str(MOVE), "--format", "json"]) == 0


def test_the_readme_and_the_guide_show_the_real_output(riverside: Site) -> None:
    text = format_whatif(what_if(riverside, read_scenario(MOVE), layers=[("pcn", "lcn")]))
    guide = (MODELS.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert text in guide
    readme = (MODELS.parent / "README.md").read_text(encoding="utf-8")
    shown = text.split("\n\nBefore and after:")[0]
    assert "\n".join("    " + line if line else "" for line in shown.splitlines()) in readme
    split = format_whatif(what_if(riverside, read_scenario(SPLIT), layers=[("pcn", "lcn")]))
    assert split.split("\n\n")[1] in guide


def test_markdown_keeps_names_as_text(riverside: Site) -> None:
    scenario = validate_scenario({"name": "=HYPERLINK(1) | <b>", "edits": [
        {"move": {"units": ["p11", "p12"], "to": "pcn-south"}}]})
    md = format_whatif(what_if(riverside, scenario, layers=[("pcn", "lcn")]), "md")
    assert md.startswith("# What if: '=HYPERLINK(1) | &lt;b&gt;\n")
