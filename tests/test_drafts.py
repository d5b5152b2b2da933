"""Drafts: undo and redo sequences, saved state, the registry's LRU cap, and threads."""

from __future__ import annotations

import threading

import pytest

from integramap.drafts import Draft, DraftRegistry, NothingToRedo, NothingToUndo
from integramap.edit import add_unit, delete_unit, new_site, update_unit
from integramap.model import Site, SiteError


def team(name: str) -> dict[str, str]:
    return {"id": name.lower(), "name": name, "kind": "team"}


def names(site: Site) -> list[str]:
    return [u.name for u in site.units]


@pytest.fixture
def draft() -> Draft:
    return Draft(new_site("demo", "Demo"), base=1)


def test_a_fresh_draft_is_clean_and_has_no_history(draft: Draft) -> None:
    assert draft.site_id == "demo" and draft.base == 1 and draft.version == 0
    assert not draft.dirty and not draft.can_undo and not draft.can_redo
    assert draft.undo_label is None and draft.redo_label is None
    with pytest.raises(NothingToUndo):
        draft.undo()
    with pytest.raises(NothingToRedo):
        draft.redo()


def test_a_new_unsaved_site_is_always_dirty() -> None:
    fresh = Draft(new_site("new", "New"), base=None)
    assert fresh.dirty and fresh.base is None
    fresh.mark_saved(1)
    assert not fresh.dirty and fresh.base == 1


def test_apply_undo_redo_sequence(draft: Draft) -> None:
    start = draft.site
    draft.apply(lambda s: add_unit(s, team("A")), "add A")
    draft.apply(lambda s: add_unit(s, team("B")), "add B")
    draft.apply(lambda s: update_unit(s, "a", {"name": "A2"}), "rename A")
    assert names(draft.site) == ["A2", "B"] and draft.version == 3 and draft.dirty
    assert draft.undo_label == "rename A"

    assert names(draft.undo()) == ["A", "B"]
    assert names(draft.undo()) == ["A"]
    assert draft.redo_label == "add B" and draft.undo_label == "add A"
    assert names(draft.redo()) == ["A", "B"]
    assert draft.redo_label == "rename A"
    assert names(draft.undo()) == ["A"]
    assert draft.undo() is start
    assert not draft.can_undo and draft.can_redo and not draft.dirty
    assert names(draft.redo()) == ["A"]
    assert names(draft.redo()) == ["A", "B"]
    assert names(draft.redo()) == ["A2", "B"]
    assert not draft.can_redo and draft.version == 11


def test_a_new_edit_clears_redo(draft: Draft) -> None:
    draft.apply(lambda s: add_unit(s, team("A")), "add A")
    draft.apply(lambda s: add_unit(s, team("B")), "add B")
    draft.undo()
    assert draft.can_redo
    draft.apply(lambda s: add_unit(s, team("C")), "add C")
    assert not draft.can_redo and names(draft.site) == ["A", "C"]
    with pytest.raises(NothingToRedo):
        draft.redo()


def test_a_refused_edit_changes_nothing(draft: Draft) -> None:
    draft.apply(lambda s: add_unit(s, team("A")), "add A")
    before, version = draft.site, draft.version
    with pytest.raises(SiteError) as err:
        draft.apply(lambda s: add_unit(s, {"name": "", "kind": "team"}), "add nameless")
    assert err.value.problems[0].loc == ("name",)
    assert draft.site is before and draft.version == version and draft.undo_label == "add A"


def test_an_edit_that_changes_nothing_is_not_recorded(draft: Draft) -> None:
    draft.apply(lambda s: s, "nothing")
    assert not draft.can_undo and draft.version == 0
    with pytest.raises(TypeError, match="must return a Site"):
        draft.apply(lambda s: None, "broken")  # type: ignore[arg-type, return-value]


def test_dirty_follows_the_saved_revision(draft: Draft) -> None:
    draft.apply(lambda s: add_unit(s, team("A")), "add A")
    draft.mark_saved(2)
    assert draft.base == 2 and not draft.dirty and draft.can_undo
    draft.apply(lambda s: add_unit(s, team("B")), "add B")
    assert draft.dirty
    draft.undo()
    assert not draft.dirty, "back at what was saved"
    draft.undo()
    assert draft.dirty, "before what was saved"
    # An edit and its reverse give an equal site: nothing left to save.
    draft.redo()
    draft.apply(lambda s: add_unit(s, team("Z")), "add Z")
    draft.apply(lambda s: delete_unit(s, "z"), "delete Z")
    assert not draft.dirty


def test_reset_starts_again(draft: Draft) -> None:
    draft.apply(lambda s: add_unit(s, team("A")), "add A")
    other = new_site("demo", "Reloaded")
    draft.reset(other, base=7)
    assert draft.site is other and draft.base == 7
    assert not draft.can_undo and not draft.can_redo and not draft.dirty


def test_undo_depth_is_capped() -> None:
    draft = Draft(new_site("demo", "Demo"), base=1, undo_depth=5)
    for i in range(12):
        draft.apply(lambda s, i=i: add_unit(s, team(f"T{i}")), f"add T{i}")
    undone = 0
    while draft.can_undo:
        draft.undo()
        undone += 1
    assert undone == 5 and len(draft.site.units) == 7


def test_registry_open_get_discard() -> None:
    registry = DraftRegistry()
    token = registry.open(new_site("a", "A"), base=3)
    assert isinstance(token, str) and len(token) >= 16
    assert registry.get(token).base == 3 and token in registry and len(registry) == 1
    other = registry.open(new_site("a", "A"), base=3)
    assert other != token and registry.get(other) is not registry.get(token), "each tab has its own draft"
    registry.discard(token)
    registry.discard(token)
    with pytest.raises(KeyError, match="expired; reload"):
        registry.get(token)
    with pytest.raises(KeyError):
        registry.get("")
    with pytest.raises(KeyError):
        registry.get(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DraftRegistry(capacity=0)


def test_registry_drops_the_least_recently_used() -> None:
    registry = DraftRegistry(capacity=3)
    tokens = [registry.open(new_site(f"s{i}", f"S{i}"), base=1) for i in range(3)]
    registry.get(tokens[0])  # used recently: kept
    newest = registry.open(new_site("s3", "S3"), base=1)
    assert tokens[1] not in registry
    assert all(t in registry for t in (tokens[0], tokens[2], newest)) and len(registry) == 3
    registry.open(new_site("s4", "S4"), base=1)
    assert tokens[2] not in registry and tokens[0] in registry


def test_registry_undo_depth_reaches_its_drafts() -> None:
    registry = DraftRegistry(undo_depth=2)
    assert registry.get(registry.open(new_site("a", "A"), base=1)).undo_depth == 2


def test_concurrent_edits_of_one_draft_are_all_kept(draft: Draft) -> None:
    workers, per_worker = 8, 15
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(w: int) -> None:
        barrier.wait()
        try:
            for i in range(per_worker):
                draft.apply(lambda s, w=w, i=i: add_unit(s, team(f"W{w}x{i}")), f"add {w}/{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(draft.site.units) == workers * per_worker and draft.version == workers * per_worker
    assert len({u.id for u in draft.site.units}) == workers * per_worker


def test_concurrent_registry_use_respects_the_cap() -> None:
    registry = DraftRegistry(capacity=50)
    site = new_site("a", "A")
    tokens: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(40):
                token = registry.open(site, base=1)
                with lock:
                    tokens.append(token)
                try:
                    registry.get(token).apply(lambda s: add_unit(s, team("A")), "add A")
                except KeyError:
                    pass  # dropped by another thread's open: the page would reload
                registry.discard(tokens[len(tokens) // 2])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(tokens)) == 240
    assert 0 < len(registry) <= 50
