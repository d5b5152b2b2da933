"""``integramap users`` and ``integramap audit`` against a temporary store."""

from __future__ import annotations

from pathlib import Path

import pytest

from integramap.cli import main
from integramap.people import Role
from integramap.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("INTEGRAMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTEGRAMAP_PASSWORD", PASSWORD)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store(url) as store:
        store.seed(Path(__file__).resolve().parent.parent / "models")
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_grant_list_revoke_remove(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no accounts" in run(capsys, "users", "list", "--database", db)[1]
    assert run(capsys, "users", "add", "Asha Patel", "--admin", "--database", db)[1] == \
        "account 'Asha Patel' added (admin)\n"
    assert run(capsys, "users", "add", "Ben", "--database", db)[0] == 0
    code, out, _ = run(capsys, "users", "grant", "Ben", "riverside-borough", "editor", "--database", db)
    assert (code, out) == (0, "'Ben' is now editor of site 'riverside-borough'\n")
    code, out, _ = run(capsys, "users", "list", "--database", db)
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ADMIN", "SIGNS", "IN", "WITH", "TOKENS", "SITES"]
    assert lines[1].split()[:3] == ["Asha", "Patel", "yes"]
    assert lines[2].split() == ["Ben", "password", "0", "riverside-borough", "(editor)"]
    assert run(capsys, "users", "revoke", "Ben", "riverside-borough", "--database", db)[0] == 0
    assert "had no role" in run(capsys, "users", "revoke", "Ben", "riverside-borough", "--database", db)[1]
    assert run(capsys, "users", "remove", "Ben", "--database", db)[0] == 0
    with Store(db) as store:
        assert [a.name for a in store.accounts.all()] == ["Asha Patel"]


def test_an_account_for_the_identity_provider_has_no_password(db: str, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTEGRAMAP_PASSWORD")
    code, out, _ = run(capsys, "users", "add", "asha.patel@example.nhs.uk", "--identity-provider", "--database", db)
    assert (code, out) == (0, "account 'asha.patel@example.nhs.uk' added\n")
    assert "identity provider (not yet used)" in run(capsys, "users", "list", "--database", db)[1]
    with Store(db) as store:
        assert store.accounts.sign_in("asha.patel@example.nhs.uk", "") is None
        assert store.accounts.sign_in_identity("sub-1", email="asha.patel@example.nhs.uk").name == \
            "asha.patel@example.nhs.uk"
    assert "identity provider " in run(capsys, "users", "list", "--database", db)[1]


def test_passwd_changes_the_password(db: str, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "users", "add", "Ben", "--database", db)
    monkeypatch.setenv("INTEGRAMAP_PASSWORD", "a much longer new password")
    assert run(capsys, "users", "passwd", "Ben", "--database", db)[0] == 0
    with Store(db) as store:
        assert store.accounts.sign_in("Ben", PASSWORD) is None
        assert store.accounts.sign_in("Ben", "a much longer new password") is not None


def test_token_prints_a_token_that_identifies_its_owner(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "users", "add", "Ben", "--database", db)
    code, out, err = run(capsys, "users", "token", "Ben", "--database", db)
    assert code == 0 and "shown only now" in err
    with Store(db) as store:
        person = store.accounts.person_for_token(out.strip())
        assert person is not None and person.name == "Ben"


def test_mistakes_are_one_line_errors(db: str, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "users", "grant", "Nobody", "riverside-borough", "viewer", "--database", db)[2] == \
        "error: there is no account named 'Nobody'; `integramap users list` shows them\n"
    run(capsys, "users", "add", "Ben", "--database", db)
    code, _, err = run(capsys, "users", "grant", "Ben", "no-such-site", "viewer", "--database", db)
    assert code == 1 and "no site 'no-such-site'" in err
    assert "already an account named 'Ben'" in run(capsys, "users", "add", "Ben", "--database", db)[2]
    monkeypatch.setenv("INTEGRAMAP_PASSWORD", "short")
    assert "at least 10" in run(capsys, "users", "add", "Cy", "--database", db)[2]
    monkeypatch.delenv("INTEGRAMAP_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert "no password: set INTEGRAMAP_PASSWORD" in run(capsys, "users", "add", "Cy", "--database", db)[2]
    with pytest.raises(SystemExit):
        main(["users", "grant", "Ben", "riverside-borough", "boss", "--database", db])


def test_audit_lists_what_was_done_newest_first(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "users", "add", "Ben", "--database", db)
    run(capsys, "users", "grant", "Ben", "riverside-borough", "viewer", "--database", db)
    with Store(db) as store:
        store.accounts.sign_in("Ben", PASSWORD)
        assert store.accounts.person("Ben").roles == {"riverside-borough": Role.VIEWER}
    code, out, _ = run(capsys, "audit", "--database", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["WHEN", "WHO", "WHAT", "SITE", "DETAIL"]
    assert "Ben" in lines[1] and "sign-in" in lines[1]
    assert "grant" in lines[2] and "riverside-borough" in lines[2] and "Ben: viewer" in lines[2]
    code, out, _ = run(capsys, "audit", "--site", "riverside-borough", "--database", db)
    site_lines = out.splitlines()[1:]
    assert all("riverside-borough" in line for line in site_lines) and "grant" in site_lines[0]
    assert "nothing recorded" in run(capsys, "audit", "--person", "Zed", "--database", db)[1]
