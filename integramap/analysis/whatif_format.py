"""A what-if report in words: plain text for an email, Markdown for a board paper.

Both say first, in a manager's words, what the change does ("Riverbend PCN no
longer straddles two LCNs; 1 unmanaged interface closed: …"), then give every
figure before and after.
"""

from __future__ import annotations

from collections.abc import Callable

from ..io.safe_text import markdown_cell, markdown_text
from ..wording import first_upper, plural
from .layers import Layer
from .whatif import FigureChange, Finding, Findings, WhatIf

__all__ = ["figure_rows", "format_whatif", "summary_lines"]

_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
_SHOWN = 10
"""Findings named per line of the summary; the JSON report lists them all."""


def _pct(value: float | None) -> str:
    return "not defined" if value is None else f"{value * 100:.1f}%"


def _count(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:,.1f}"


def _names(items: list[Finding], show: Callable[[Finding], str]) -> str:
    shown = ", ".join(show(f) for f in items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def summary_lines(report: WhatIf) -> list[str]:
    """What the change does, one sentence a line, in a manager's words.

    Examples
    --------
    >>> from integramap.model import Site, Unit, Area
    >>> from integramap.scenario import validate_scenario
    >>> from integramap.analysis.whatif import what_if
    >>> site = Site(id="s", name="S", areas=[Area(id=a, population=100) for a in "wxyz"], units=[
    ...     Unit(id="n", name="North LCN", kind="lcn", footprint={"x": 1, "y": 1}),
    ...     Unit(id="s", name="South LCN", kind="lcn", footprint={"z": 1, "w": 1}),
    ...     Unit(id="p1", name="Riverbend PCN", kind="pcn"), Unit(id="p2", name="Southgate PCN", kind="pcn"),
    ...     Unit(id="g1", name="GP 1", kind="practice", parent="p1", footprint={"y": 1}),
    ...     Unit(id="g2", name="GP 2", kind="practice", parent="p1", footprint={"z": 1}),
    ...     Unit(id="g3", name="GP 3", kind="practice", parent="p2", footprint={"w": 1})])
    >>> for line in summary_lines(what_if(site, validate_scenario({"name": "GP 2 moves",
    ...         "edits": [{"move": {"unit": "g2", "to": "p2"}}]}))):
    ...     print(line)
    Riverbend PCN no longer straddles two LCNs.
    1 unmanaged interface closed: Riverbend PCN and South LCN (100 people).
    PCNs with LCNs: 66.7% → 100.0% of people in their PCN's main LCN; 50.0% → 100.0% of PCNs wholly within one LCN.
    Riverbend PCN: 200 → 100 people (−50%).
    Southgate PCN: 100 → 200 people (+100%).
    Typology code: U-X-1S-NL/N-R0-C0.67 → U-X-1S-NL/N-R0-C1.00.
    """
    r = report
    people = "people" if r.population_known else "areas"
    before_partners = {key: {s.unit: len(s.partners) for s in found}
                       for key, found in r.before.straddles.items()}
    lines: list[str] = []
    for a, b in r.layers:
        key = f"{a}/{b}"
        la, lb = Layer.parse(a), Layer.parse(b)
        found = r.delta.straddles[key]
        for f in found.lost:
            n = before_partners[key].get(f.id, 2)
            lines.append(f"{f.name} no longer straddles {_NUMBER_WORDS.get(n, str(n))} {lb.label}.")
        for f in found.gained:
            lines.append(f"{f.name} now straddles {lb.label}: {f.detail}.")
        for f in found.changed:
            if f.detail != f.before:
                lines.append(f"{f.name}'s split across {lb.label} changes from {f.before} to {f.detail}.")
        interfaces = r.delta.unmanaged_interfaces[key]
        if interfaces.lost:
            lines.append(f"{plural(len(interfaces.lost), 'unmanaged interface')} closed: "
                         + _names(interfaces.lost, lambda f: _shared(f, people)) + ".")
        if interfaces.gained:
            lines.append(f"{plural(len(interfaces.gained), 'new unmanaged interface')}: "
                         + _names(interfaces.gained, lambda f: _shared(f, people)) + ".")
        figures = r.delta.coterminosity[key]
        if _moved(figures["people"]) or _moved(figures["units"]):
            lines.append(f"{first_upper(la.label)} with {lb.label}: {_change(figures['people'])} of people in "
                         f"their {la.singular}'s main {lb.singular}; {_change(figures['units'])} of {la.label} "
                         f"wholly within one {lb.singular}.")
    for layer, found in r.delta.gaps.items():
        _findings_line(lines, found, f"Gaps in the {Layer.parse(layer).label}", people)
    for layer, found in r.delta.double_cover.items():
        _findings_line(lines, found, f"Areas claimed twice by {Layer.parse(layer).label}", people)
    for f in r.delta.nesting_violations.lost:
        lines.append(f"{f.name} no longer reaches outside the unit above it.")
    for f in r.delta.nesting_violations.gained:
        lines.append(f"{f.name} now reaches outside the unit above it: {f.detail}.")
    for p in r.delta.populations[:_SHOWN]:
        if p.status == "new":
            lines.append(f"{p.name} (new): {_count(p.after)} {people}.")
        elif p.status == "removed":
            lines.append(f"{p.name} (removed): had {_count(p.before)} {people}.")
        else:
            change = (f" ({(p.after - p.before) / p.before * 100:+.0f}%)".replace("-", "−")
                      if p.before > 0 else "")
            lines.append(f"{p.name}: {_count(p.before)} → {_count(p.after)} {people}{change}.")
    if len(r.delta.populations) > _SHOWN:
        more = len(r.delta.populations) - _SHOWN
        lines.append(f"… and {plural(more, 'other unit')} whose population changes.")
    code = r.delta.code
    lines.append(f"Typology code: {code['before']} → {code['after']}." if code["before"] != code["after"]
                 else f"Typology code unchanged: {code['after']}.")
    if len(lines) == 1 and code["before"] == code["after"]:
        lines.insert(0, "No boundary figure changes.")
    return lines


def _shared(f: Finding, people: str) -> str:
    return f"{f.name} ({_count(f.population)} {people})"


def _moved(figure: FigureChange) -> bool:
    return figure.before != figure.after and (figure.change is None or abs(figure.change) > 1e-9)


def _change(figure: FigureChange) -> str:
    return f"{_pct(figure.before)} → {_pct(figure.after)}"


def _findings_line(lines: list[str], found: Findings, title: str, people: str) -> None:
    if found.lost:
        lines.append(f"{title}: {plural(len(found.lost), 'closed')} ("
                     + _names(found.lost, lambda f: f.name) + ").")
    if found.gained:
        lines.append(f"{title}: {plural(len(found.gained), 'new one', 'new ones')} ("
                     + _names(found.gained, lambda f: f"{f.name}, {_count(f.population)} {people}") + ").")


def figure_rows(report: WhatIf) -> list[tuple[str, str, str]]:
    """(figure, before, after) for every figure of the report, in words.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.scenario import validate_scenario
    >>> from integramap.analysis.whatif import what_if
    >>> site = Site(id="s", name="S", units=[Unit(id="a", name="A", kind="team")])
    >>> figure_rows(what_if(site, validate_scenario({"name": "x", "edits": [{"remove": {"unit": "a"}}]}),
    ...                     layers=[]))[-1]
    ('Nesting violations', '0', '0')
    """
    r = report
    rows: list[tuple[str, str, str]] = [("Typology code", r.before.code, r.after.code)]
    for a, b in r.layers:
        key = f"{a}/{b}"
        la, lb = Layer.parse(a), Layer.parse(b)
        cb, ca = r.before.coterminosity[key], r.after.coterminosity[key]
        pair = f"{la.singular}–{lb.singular}"
        rows += [
            (f"{first_upper(la.label)} across {lb.label}", str(len(r.before.straddles[key])),
             str(len(r.after.straddles[key]))),
            (f"{pair} coterminosity, people", _pct(cb.people), _pct(ca.people)),
            (f"{pair} coterminosity, {la.label} wholly in one", _pct(cb.units), _pct(ca.units)),
            (f"{pair} unmanaged interfaces", str(len(r.before.unmanaged_interfaces[key])),
             str(len(r.after.unmanaged_interfaces[key]))),
        ]
    for layer in r.before.gaps:
        label = Layer.parse(layer).label
        rows.append((f"Gaps in the {label}", str(len(r.before.gaps[layer])), str(len(r.after.gaps[layer]))))
        rows.append((f"Double cover by {label}", str(len(r.before.double_cover[layer])),
                     str(len(r.after.double_cover[layer]))))
    rows.append(("Nesting violations", str(len(r.before.nesting_violations)),
                 str(len(r.after.nesting_violations))))
    return rows


def format_whatif(report: WhatIf, fmt: str = "text") -> str:
    """The report as plain text (``"text"``) or Markdown (``"md"``): what changes, then every figure.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.scenario import validate_scenario
    >>> from integramap.analysis.whatif import what_if
    >>> site = Site(id="s", name="Demo", units=[Unit(id="a", name="A", kind="team", sectors=["mental_health"]),
    ...                                         Unit(id="b", name="B", kind="team", sectors=["social_care"])])
    >>> print(format_whatif(what_if(site, validate_scenario({"name": "Co-locate A and B", "edits": [
    ...     {"add_link": {"source": "a", "target": "b", "level": "co_located"}}]}), layers=[])), end="")
    What if: Co-locate A and B
    Site: Demo
    <BLANKLINE>
    What changes:
      - Typology code: U-X-2S-NL/N-R0-C- → U-X-2S-CL/V-R1-C-.
    <BLANKLINE>
    Before and after:
                          before              after
      Typology code       U-X-2S-NL/N-R0-C-   U-X-2S-CL/V-R1-C-
      Nesting violations  0                   0
    """
    r = report
    lines_changed = summary_lines(r)
    rows = figure_rows(r)
    if fmt == "md":
        out = [f"# What if: {markdown_text(r.scenario)}", "", f"Site: {markdown_text(r.before.site_name)}"]
        if r.description:
            out += ["", markdown_text(r.description)]
        out += ["", "## What changes", ""] + [f"- {markdown_text(line)}" for line in lines_changed]
        out += ["", "## Before and after", "", "| figure | before | after |", "| --- | --- | --- |"]
        out += [f"| {markdown_cell(name)} | {markdown_cell(before)} | {markdown_cell(after)} |"
                for name, before, after in rows]
        return "\n".join(out) + "\n"
    out = [f"What if: {r.scenario}", f"Site: {r.before.site_name}"]
    if r.description:
        out.append(r.description)
    out += ["", "What changes:"] + [f"  - {line}" for line in lines_changed]
    width = max(len(name) for name, _, _ in rows)
    col = max(len("before"), *(len(before) for _, before, _ in rows))
    out += ["", "Before and after:", f"  {'':<{width}}  {'before':<{col}}  after"]
    out += [f"  {name:<{width}}  {before:<{col}}  {after}" for name, before, after in rows]
    return "\n".join(out) + "\n"
