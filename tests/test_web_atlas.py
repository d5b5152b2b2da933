"""The Atlas page: every ICB from the national files, sorted, ranked, compared and opened as a site."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_DATA
from dash.testing.wait import until

from integramap.analysis.atlas_neighbours import icbs_like
from integramap.demo import REFERENCE_DATA_ENV, DemoDataError
from integramap.people import Person, Role, acting_as
from integramap.store import ConflictError, Store
from integramap.store.access import PersonalStore
from integramap.web import create_app
from integramap.web.atlas import data
from integramap.web.common.jobs import JobRunner, Progress
from integramap.web.common.services import Services

# A made-up country of two ICBs stands in for the national files in every test: Vale (QZZ, whose
# Riverside PCN crosses two districts) and Far County (QYY).
pytestmark = pytest.mark.usefixtures("atlas_country")


def quiet() -> Progress:
    return Progress(lambda _f, _m: None)


def row_codes(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    # Read in one go: a re-sorted table replaces its rows between two reads.
    ids = dash_duo.driver.execute_script("return [...document.querySelectorAll('tr.atlas-row')].map(r => r.id)")
    return [i.removeprefix("atlas-row-") for i in ids]


@pytest.mark.browser
def test_atlas_lists_every_icb_sorts_ranks_and_opens_one(dash_duo, store: Store, atlas_runner: JobRunner) -> None:
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atlas?icb=QYY")
    dash_duo.wait_for_contains_text("#atlas-headline", "2 ICBs, 7 practices", timeout=30)
    assert "1 of the 2 ICBs has a PCN across a district boundary" in dash_duo.find_element("#atlas-headline").text
    # Least coterminous first: Vale's Riverside PCN has two practices in Riverside and one in Hillside.
    assert row_codes(dash_duo) == ["QZZ", "QYY"]
    vale = dash_duo.find_element("#atlas-row-QZZ").text
    assert "Vale" in vale and "80%" in vale and "50%" in vale, vale  # 4 of 5 people in PCNs, 1 of 2 PCNs
    # Sorting by name, then reversing it.
    dash_duo.find_element("#atlas-table th:first-child button").click()
    until(lambda: row_codes(dash_duo) == ["QYY", "QZZ"], 20)
    dash_duo.find_element("#atlas-table th:first-child button").click()
    until(lambda: row_codes(dash_duo) == ["QZZ", "QYY"], 20)
    # The ranked chart, with what it shows in words beside it.
    dash_duo.wait_for_element("#atlas-chart .barlayer", timeout=20)
    dash_duo.wait_for_contains_text("#atlas-summary", "Lowest: NHS Vale Integrated Care Board, 80% by people",
                                    timeout=20)
    # ICBs like mine, for the ICB named in the address.
    dash_duo.wait_for_contains_text("#atlas-near", "Vale QZZ", timeout=20)
    assert "Nearest to NHS Far County Integrated Care Board" in dash_duo.find_element("#atlas-near").text
    # Opening Vale builds it as a site and shows its boundaries: PCNs against districts.
    dash_duo.find_element("#atlas-row-QZZ button").click()
    until(lambda: "site=england-QZZ" in dash_duo.driver.current_url, 30)
    assert "a=pcn" in dash_duo.driver.current_url and "b=local_authority" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text("#boundaries-title", "NHS Vale Integrated Care Board", timeout=30)
    dash_duo.wait_for_contains_text("#boundaries-verdict", "RIVERSIDE PCN", timeout=30)
    saved = store.get("england-QZZ").site
    assert {u.id for u in saved.units if u.kind.value == "pcn"} == {"U99001", "U99002"}
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_atlas_without_the_files_says_which_and_where_they_are_published(
        dash_duo, store: Store, atlas_runner: JobRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(REFERENCE_DATA_ENV, str(tmp_path / "nothing-here"))
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atlas")
    dash_duo.wait_for_contains_text("#atlas-message", "public reference files not found", timeout=20)
    message = dash_duo.find_element("#atlas-message").text
    assert "practice → PCN lookup" in message and "LSOA → local authority lookup" in message
    assert "digital.nhs.uk" in message and "geoportal.statistics.gov.uk" in message
    assert "nothing-here" not in message and "docs/" not in message and "--" not in message, "no paths on a page"
    assert not dash_duo.find_element("#atlas-body").is_displayed()
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_a_signed_in_person_is_told_to_ask_for_an_icb_someone_else_opened(dash_duo, store: Store,
                                                                        atlas_runner: JobRunner) -> None:
    password = "correct horse battery"
    for name in ("Asha", "Ben"):
        store.accounts.add(name, password, actor="setup")
    with acting_as(store.accounts.person("Asha")):
        data.build_icb(Services(store=PersonalStore(store)), data.find_files(), "QZZ", "Asha", quiet())
    dash_duo.server(create_app(store))  # not start_server: its first page would be the sign-in form
    dash_duo.driver.get(f"{dash_duo.server.url}/login?next=/atlas")  # a plain form, not a Dash page
    dash_duo.wait_for_element("#name", timeout=20).send_keys("Ben")
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("form button").click()
    dash_duo.wait_for_contains_text("#atlas-headline", "2 ICBs", timeout=30)
    dash_duo.find_element("#atlas-row-QZZ button").click()
    dash_duo.wait_for_contains_text("#atlas-open-status", "not shared with you", timeout=20)
    assert "/atlas" in dash_duo.driver.current_url
    # Far County is nobody's yet: Ben opens it and becomes its owner.
    dash_duo.find_element("#atlas-row-QYY button").click()
    until(lambda: "site=england-QYY" in dash_duo.driver.current_url, 30)
    dash_duo.wait_for_contains_text("#boundaries-title", "NHS Far County Integrated Care Board", timeout=30)
    assert store.accounts.person("Ben").role("england-QYY") is Role.OWNER
    assert store.accounts.person("Ben").role("england-QZZ") is None
    assert store.get("england-QYY").author == "Ben"


def test_opening_an_icb_makes_the_person_its_owner_and_hides_it_from_others(tmp_path: Path) -> None:
    files = data.find_files()
    with Store(data_dir=tmp_path / "db") as inner:
        inner.accounts.add("Asha", "pw-asha-123456", actor="setup")
        inner.accounts.add("Ben", "pw-ben-1234567", actor="setup")
        services = Services(store=PersonalStore(inner))
        with acting_as(inner.accounts.person("Asha")):
            site_id = data.build_icb(services, files, "QZZ", "Asha", quiet())
            assert site_id == "england-QZZ" and services.store.exists(site_id)
        asha = inner.accounts.person("Asha")
        assert asha.role(site_id) is Role.OWNER
        assert inner.get(site_id).author == "Asha"
        with acting_as(inner.accounts.person("Ben")):
            # Ben cannot see Asha's site: the page tells him to ask for it, and building it again is refused.
            assert data.hidden_from_person(services.store, site_id)
            assert not services.store.exists(site_id)
            with pytest.raises(ConflictError):
                data.build_icb(services, files, "QZZ", "Ben", quiet())
        with acting_as(Person(name="Ben", roles={site_id: Role.VIEWER})):
            assert not data.hidden_from_person(services.store, site_id)
            assert data.build_icb(services, files, "QZZ", "Ben", quiet()) == site_id  # opened, not rebuilt
        assert len(inner.history(site_id)) == 1


def test_the_national_atlas_is_kept_until_the_files_change(tmp_path: Path) -> None:
    files = data.find_files()
    assert data.kept(files) is None
    national = data.build_national(files, quiet())
    assert data.kept(files) is national
    assert [e.code for e in national.found.icbs] == ["QYY", "QZZ"]
    assert set(national.descriptors) == {"QYY", "QZZ"}
    copy = tmp_path / "nhs-reference"
    copy.mkdir()
    for path in (files.practices, files.lsoa_lad):
        (copy / path.name).write_bytes(path.read_bytes())
    changed = data.find_files(tmp_path)
    assert data.kept(changed) is None, "a different file is a different atlas"


def test_missing_files_are_named_together(tmp_path: Path) -> None:
    with pytest.raises(DemoDataError) as caught:
        data.find_files(tmp_path)
    assert [m.key for m in caught.value.missing] == ["practices", "lsoa_lad"]


REAL = SHARED_DATA / "nhs-reference"


@pytest.mark.skipif(not (REAL / "practice_pcn_lookup_2024.csv").is_file() or not (REAL / "lsoa21_to_lad.csv").is_file(),
                    reason="needs the national practice → PCN lookup and LSOA → district lookup in ../shared/data")
def test_the_real_atlas_holds_all_42_icbs_and_opens_south_east_london(tmp_path: Path) -> None:
    files = data.find_files(SHARED_DATA)
    national = data.build_national(files, quiet())
    assert len(national.found.icbs) == 42
    sel = next(e for e in national.found.icbs if e.code == "QKK")
    assert [s.name for s in sel.straddles["local_authority"]] == ["CROXTED PCN"] or \
        [s.pcn for s in sel.straddles["local_authority"]] == ["U60524"]
    near = icbs_like(national.found, "QKK", national.descriptors, 5)
    assert len(near) == 5 and "QKK" not in {n.code for n in near}
    assert [n.distance for n in near] == sorted(n.distance for n in near)
    with Store(data_dir=tmp_path / "db") as inner:
        services = Services(store=PersonalStore(inner))
        site_id = data.build_icb(services, files, "QKK", "Tester", quiet())
        site = inner.get(site_id).site
        assert sum(1 for u in site.units if u.kind.value == "pcn") == sel.pcns
