"""Drafts: undo and redo sequences, saved state, working copies kept in the store, and threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from integramap.drafts import FOLD_BATCH, Change, Draft, NothingToRedo, NothingToUndo, StaleWorkingCopy, WorkingCopies
from integramap.edit import add_unit, delete_unit, new_site, update_unit
from integramap.model import Site, SiteError
from integramap.store import Store, UnknownSiteError


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


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as st:
        st.save(new_site("demo", "Demo"), author="Asha", message="start", base=None)
        yield st


def add(name: str) -> Change:
    return Change("add_unit", {"fields": team(name)})


def test_a_working_copy_survives_a_restart_with_its_undo_and_redo(stored: Store) -> None:
    draft = WorkingCopies(stored).open("me", "demo").draft
    for name in ("A", "B", "C"):
        draft.apply(add(name), f"add {name}")
    draft.undo()
    restarted = WorkingCopies(stored).open("me", "demo")
    again = restarted.draft
    assert names(again.site) == ["A", "B"] and again.dirty and restarted.unsaved_since is not None
    assert again.undo_label == "add B" and again.redo_label == "add C"
    assert names(again.redo()) == ["A", "B", "C"]
    again.undo()
    again.undo()
    assert names(WorkingCopies(stored).get("me", "demo").site) == ["A"]


def test_working_copies_are_per_person_and_a_clean_one_follows_the_latest_revision(stored: Store) -> None:
    copies = WorkingCopies(stored)
    mine = copies.open("me", "demo").draft
    mine.apply(add("Mine"), "add Mine")
    theirs = copies.open("them", "demo")
    assert names(theirs.draft.site) == [] and theirs.unsaved_since is None
    stored.save(add_unit(new_site("demo", "Demo"), team("Saved")), author="Ben", message="", base=1)
    assert names(copies.open("them", "demo").draft.site) == ["Saved"], "no unsaved edits: the latest revision"
    kept = copies.open("me", "demo")
    assert names(kept.draft.site) == ["Mine"] and kept.draft.base == 1, "unsaved edits are kept"


def test_a_saved_copy_is_clean_after_a_restart_and_discard_goes_back(stored: Store) -> None:
    copies = WorkingCopies(stored)
    draft = copies.open("me", "demo").draft
    draft.apply(add("A"), "add A")
    info = stored.save(draft.site, author="Asha", message="A", base=draft.base)
    draft.mark_saved(info.number)
    again = WorkingCopies(stored).open("me", "demo")
    assert not again.draft.dirty and again.unsaved_since is None and again.draft.can_undo
    again.draft.apply(add("B"), "add B")
    again.draft.reset(stored.get("demo").site, base=info.number)
    assert names(WorkingCopies(stored).open("me", "demo").draft.site) == ["A"]


def test_two_processes_cannot_both_change_a_copy_from_the_same_state(stored: Store) -> None:
    one, two = WorkingCopies(stored), WorkingCopies(stored)
    first = one.open("me", "demo").draft
    second = two.open("me", "demo").draft
    first.apply(add("A"), "add A")
    with pytest.raises(StaleWorkingCopy):
        second.apply(add("B"), "add B")
    assert names(second.site) == []
    assert names(two.get("me", "demo").site) == ["A"], "the refused process reads the copy again"
    two.get("me", "demo").apply(add("B"), "add B")
    assert names(one.get("me", "demo").site) == ["A", "B"]


def test_a_stored_copy_takes_only_replayable_changes_and_folds_old_history(stored: Store) -> None:
    copies = WorkingCopies(stored, undo_depth=3)
    draft = copies.open("me", "demo").draft
    with pytest.raises(TypeError, match="Change"):
        draft.apply(lambda s: add_unit(s, team("A")), "add A")
    for i in range(3 + FOLD_BATCH):
        draft.apply(add(f"T{i}"), f"add T{i}")
    record = stored.working_copies.load("me", "demo")
    assert record is not None and len(record.done) == 3 and record.origin is not None
    again = WorkingCopies(stored, undo_depth=3).open("me", "demo").draft
    assert names(again.site) == names(draft.site) and len(again.site.units) == 3 + FOLD_BATCH
    undone = 0
    while again.can_undo:
        again.undo()
        undone += 1
    assert undone == 3 and again.dirty


def test_an_upload_of_a_new_site_is_kept_as_an_unsaved_copy(stored: Store) -> None:
    site = add_unit(new_site("fresh", "Fresh"), team("A"))
    draft = WorkingCopies(stored).start_new("me", site)
    draft.apply(add("B"), "add B")
    again = WorkingCopies(stored).open("me", "fresh")
    assert names(again.draft.site) == ["A", "B"] and again.draft.base is None and again.draft.dirty
    with pytest.raises(UnknownSiteError):
        WorkingCopies(stored).open("me", "nowhere")
    with pytest.raises(KeyError):
        WorkingCopies(stored).get("me", "nowhere")


def test_an_upload_replaces_the_site_and_is_replayed_from_its_document(stored: Store) -> None:
    draft = WorkingCopies(stored).open("me", "demo").draft
    uploaded = add_unit(new_site("demo", "Demo uploaded"), team("Up"))
    draft.apply(Change.replace(uploaded), "upload demo.yaml")
    draft.apply(Change.positions({"up": (10.0, 20.0)}), "move units")
    again = WorkingCopies(stored).open("me", "demo").draft
    assert again.site.name == "Demo uploaded" and again.site.unit("up").attributes.position is not None


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


def test_concurrent_edits_in_one_process_are_all_stored(stored: Store) -> None:
    copies = WorkingCopies(stored)
    copies.open("me", "demo")
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for i in range(5):
                copies.get("me", "demo").apply(add(f"W{w}x{i}"), f"add {w}/{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(WorkingCopies(stored).open("me", "demo").draft.site.units) == 20
