"""Cross-reference checks of a site, each fault reported with its location.

The checks collect every fault rather than stopping at the first. They run on
a site whose fields pydantic has type-checked (:func:`check_site`) and, when the
type check itself fails, on the raw data (:func:`check_raw`) so that one
reading of a file reports both kinds of fault.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .enums import UnitKind
from .errors import IntegrityError, Problem, short_repr

if TYPE_CHECKING:
    from .site import Site

__all__ = ["IntegrityError", "check_raw", "check_site"]


_KINDS = {k.value for k in UnitKind}


class _UnitRef(NamedTuple):
    id: str | None
    parent: str | None
    kind: str | None
    org_type: str | None
    footprint: tuple[str, ...]


class _LinkRef(NamedTuple):
    id: str | None
    source: str | None
    target: str | None


def check_site(site: "Site") -> list[Problem]:
    """Every cross-reference fault in a site, in file order.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site.model_construct(id="s", name="S", areas=[], links=[], units=[
    ...     Unit(id="a", name="A", kind="team", parent="b"),
    ...     Unit(id="b", name="B", kind="team", parent="a")])
    >>> [str(p) for p in check_site(site)]  # doctest: +NORMALIZE_WHITESPACE
    ["units[0].parent: parent chain loops back to 'a' (a → b → a); a unit cannot contain itself",
     "units[1].parent: parent chain loops back to 'b' (b → a → b); a unit cannot contain itself"]
    """
    # The enums are str subclasses equal to their values: str() on each (a Python-level
    # call) would only slow a national site's check.
    units = [_UnitRef(u.id, u.parent, u.kind, u.org_type, tuple(u.footprint)) for u in site.units]
    links = [_LinkRef(lk.id, lk.source, lk.target) for lk in site.links]
    return _check([a.id for a in site.areas], units, links)


def check_raw(data: Mapping[str, Any]) -> list[Problem]:
    """The same checks on plain data whose fields may be partly malformed.

    Used when the structure itself is invalid, so that reference faults are
    reported together with type faults instead of only after they are fixed.
    Values of the wrong type are skipped here: the type check reports them.

    Examples
    --------
    >>> [str(p) for p in check_raw({"units": [{"id": "a", "kind": 7}],
    ...                              "links": [{"id": "l", "source": "a", "target": "zz"}]})]
    ["links[0].target: unknown unit 'zz'; expected the id of a unit in this site"]
    """
    def text(item: Any, key: str) -> str | None:
        value = item.get(key) if isinstance(item, dict) else None
        return value if isinstance(value, str) else None

    def items(key: str) -> list[Any]:
        value = data.get(key)
        return value if isinstance(value, list) else []

    units = []
    for u in items("units"):
        footprint = u.get("footprint") if isinstance(u, dict) else None
        keys = tuple(k for k in footprint if isinstance(k, str)) if isinstance(footprint, dict) else ()
        kind = text(u, "kind")
        kind = kind if kind in _KINDS else None  # an unknown kind is the type check's to report
        units.append(_UnitRef(text(u, "id"), text(u, "parent"), kind, text(u, "org_type"), keys))
    links = [_LinkRef(text(lk, "id"), text(lk, "source"), text(lk, "target")) for lk in items("links")]
    return _check([text(a, "id") for a in items("areas")], units, links)


def _check(area_list: list[str | None], units: list[_UnitRef], links: list[_LinkRef]) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates("areas", area_list, "area")
    problems += _duplicates("units", [u.id for u in units], "unit")
    problems += _duplicates("links", [lk.id for lk in links], "link")

    unit_ids = {u.id for u in units if u.id is not None}
    area_ids = {a for a in area_list if a is not None}
    parents = {u.id: u.parent for u in units if u.id is not None}
    loops = _parent_loops(parents)
    tree = _Tree(parents)

    for i, unit in enumerate(units):
        if unit.parent is not None and unit.parent not in unit_ids:
            problems.append(Problem(("units", i, "parent"),
                                    f"unknown unit {short_repr(unit.parent)}; expected the id of a unit in this site"))
        if unit.org_type is not None and unit.kind is not None and unit.kind != UnitKind.ORGANISATION:
            problems.append(Problem(("units", i, "org_type"),
                                    f"org_type is only for organisations, and this unit's kind is {str(unit.kind)}"))
        for area_id in unit.footprint:
            if area_id not in area_ids:
                problems.append(Problem(("units", i, "footprint", area_id),
                                        f"unknown area {short_repr(area_id)}; expected the id of an area in this site"))
        loop = loops.get(unit.id) if unit.id is not None else None
        if loop is not None and unit.id is not None:
            problems.append(Problem(("units", i, "parent"), f"parent chain loops back to {short_repr(unit.id)} "
                                    f"({_chain_text(*loop)}); a unit cannot contain itself"))

    for i, link in enumerate(links):
        for end in ("source", "target"):
            ref = getattr(link, end)
            if ref is not None and ref not in unit_ids:
                problems.append(Problem(("links", i, end),
                                        f"unknown unit {short_repr(ref)}; expected the id of a unit in this site"))
        if link.source is None or link.target is None:
            continue
        if link.source == link.target:
            problems.append(Problem(("links", i, "target"),
                                    f"link joins {short_repr(link.source)} to itself; expected two different units"))
            continue
        for a, b in ((link.source, link.target), (link.target, link.source)):
            if tree.is_ancestor(b, a):
                problems.append(Problem(("links", i),
                                        f"link joins {short_repr(a)} to its own ancestor {short_repr(b)}; containment is "
                                        "already given by `parent`, a link is for integration between units"))
    return problems


def _duplicates(section: str, ids: list[str | None], what: str) -> list[Problem]:
    counts = Counter(ids)
    seen: set[str] = set()
    out = []
    for i, item_id in enumerate(ids):
        if item_id is not None and counts[item_id] > 1:
            if item_id in seen:
                out.append(Problem((section, i, "id"),
                                   f"duplicate {what} id {short_repr(item_id)}; every {what} needs its own id"))
            seen.add(item_id)
    return out


class _Tree:
    """Ancestry in the parent forest by one depth-first pass: entry and exit times.

    ``b`` is above ``a`` exactly when ``a`` is entered after ``b`` and left before
    it, so each question costs two look-ups however deep the tree (walking the
    chain for every link made a national site's check quadratic). Units on a
    parent loop, or below one, are outside the forest: the loop is the fault
    reported for them.
    """

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        children: dict[str, list[str]] = {}
        roots = []
        for unit_id, parent in parents.items():
            if parent is None or parent not in parents:
                roots.append(unit_id)
            else:
                children.setdefault(parent, []).append(unit_id)
        self.enter: dict[str, int] = {}
        self.leave: dict[str, int] = {}
        clock = 0
        for root in roots:
            stack = [(root, iter(children.get(root, ())))]
            self.enter[root] = clock
            clock += 1
            while stack:
                node, below = stack[-1]
                child = next(below, None)
                if child is None:
                    stack.pop()
                    self.leave[node] = clock
                    clock += 1
                elif child not in self.enter:
                    self.enter[child] = clock
                    clock += 1
                    stack.append((child, iter(children.get(child, ()))))

    def is_ancestor(self, upper: str, lower: str) -> bool:
        """Whether ``upper`` is a parent, grandparent… of ``lower`` (never of itself)."""
        if upper == lower or upper not in self.enter or lower not in self.enter:
            return False
        return self.enter[upper] < self.enter[lower] and self.leave[lower] < self.leave[upper]


def _parent_loops(parents: Mapping[str, str | None]) -> dict[str, tuple[list[str], int]]:
    """Each unit on a parent loop: the loop in parent order, shared by its units, and the unit's place in it.

    One pass over every unit.

    Examples
    --------
    >>> _parent_loops({"a": "b", "b": "a", "c": "a", "d": None})
    {'a': (['a', 'b'], 0), 'b': (['a', 'b'], 1)}
    """
    done: set[str] = set()
    loops: dict[str, tuple[list[str], int]] = {}
    for start in parents:
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in parents and current not in done:
            if current in on_path:
                cycle = path[on_path[current]:]
                for k, member in enumerate(cycle):
                    loops[member] = (cycle, k)
                break
            on_path[current] = len(path)
            path.append(current)
            current = parents[current]
        done.update(path)
    return loops


def _chain_text(loop: list[str], start: int, shown: int = 6) -> str:
    """``a → b → a`` from the unit at ``start``; a long loop is shortened (every unit on it is reported).

    Examples
    --------
    >>> _chain_text([f"u{i}" for i in range(3000)], 1)
    'u1 → u2 → u3 → u4 → u5 → … → u0 → u1 (a loop of 3,000 units)'
    """
    n = len(loop)
    if n <= shown + 2:
        return " → ".join([*loop[start:], *loop[:start], loop[start]])
    head = [loop[(start + k) % n] for k in range(shown - 1)]
    return " → ".join([*head, "…", loop[start - 1], loop[start]]) + f" (a loop of {n:,} units)"
