"""Typology descriptors and comparisons as Markdown: one readable page for a board paper.

The words and tables here are shared with the Word export, which lays out the
same content; user text is escaped cell by cell so a unit named ``=A1|B``
cannot break a table or run as a formula when the page is pasted into a
spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis.compare import WEIGHTS, Comparison, SiteDiff
from ..analysis.typology import TypologyDescriptor
from ..analysis.typology_terms import LEUTZ
from ..model import Level
from ..wording import in_words, plural
from .safe_text import markdown_cell, markdown_text
from .sitefile import write_text_atomic

if TYPE_CHECKING:
    from .board_pictures import BoardPictures

Table = tuple[list[str], list[list[str]]]
"""A table as plain text: header cells, then rows of cells (not yet escaped)."""


UNMANAGED_SHOWN = 15
"""Unmanaged interfaces listed in a description, most shared people first; the rest are counted."""

def words(key: str | None) -> str:
    """A key in words: ``pooled_management`` → ``pooled management``; ``None`` → ``none``."""
    return in_words(key)


def _count_list(counts: dict[str, int], free_text: bool = False) -> str:
    """``key (n), …``; free text (population tags) is shown as typed, keys in words."""
    return ", ".join(f"{k if free_text else words(k)} ({n})" for k, n in counts.items()) or "none recorded"


def summary_sentences(d: TypologyDescriptor) -> list[str]:
    """The descriptor in a few plain sentences, as a manager would say it."""
    b = d.basis
    basis = {"geographic": "a geographically based model", "functional": "a functionally based model",
             "mixed": "a mixed model, partly geographic and partly functional",
             "unknown": "a model whose basis (geographic or functional) is not recorded"}[b.value]
    out = [f"{d.site.name} is {basis} ({b.geographic} geographic, {b.functional} functional, "
           f"{b.unrecorded} unrecorded among {b.counted})."]
    ages = " and ".join(words(a) for a in d.populations.age_groups) or "no recorded age group"
    types = ", ".join(d.populations.population_types)
    out.append(f"It serves {ages}" + (f", including {types}." if types else "."))
    takes = "takes" if len(d.organisations) == 1 else "take"
    out.append(f"{plural(len(d.organisations), 'organisation')} across {plural(len(d.sectors), 'sector')} "
               f"{takes} part: "
               f"{', '.join(words(s) for s in d.sectors) or 'none recorded'}.")
    if d.depth.highest is None:
        out.append("No integration links are recorded.")
    else:
        n = sum(d.depth.distribution.values())
        out.append(f"The closest integration is {words(d.depth.highest)} (Leutz: "
                   f"{words(d.depth.leutz_degree)}); the typical link is {words(d.depth.median)}, "
                   f"across {plural(n, 'link')}.")
        runs = "runs" if d.breadth.horizontal == 1 else "run"
        outside = d.breadth.outside_tiers
        # Every link is counted somewhere, so the three figures add up to the links above.
        rest = (f"; {plural(outside, 'link')} {'has' if outside == 1 else 'have'} an end in no tier of care"
                if outside else "")
        out.append(f"{plural(d.breadth.horizontal, 'link')} {runs} within one tier of care (horizontal) and "
                   f"{plural(d.breadth.vertical, 'link')} across tiers (vertical){rest}.")
    if d.ambition.count:
        aim = "aims" if d.ambition.count == 1 else "aim"
        out.append(f"{plural(d.ambition.count, 'link')} {aim} higher than now, "
                   f"{plural(d.ambition.total_gap, 'level step')} in all.")
    if d.structural_challenges:
        stand = "stands" if len(d.structural_challenges) == 1 else "stand"
        out.append(f"{plural(len(d.structural_challenges), 'structural challenge')} {stand} in the way "
                   "of the levels claimed (see below).")
    return out


def overview_rows(d: TypologyDescriptor) -> list[list[str]]:
    """The descriptor's headline facts as (question, answer) rows."""
    align = d.boundary_alignment
    if not align.available:
        alignment = align.note
    elif not align.pairs:
        alignment = align.note or "no layers to compare"
    else:
        alignment = "; ".join(
            f"{words(p.layers[0])}–{words(p.layers[1])} {p.coterminosity_words}"
            f" ({plural(p.mismatches, 'mismatch', 'mismatches')})" for p in align.pairs)
    rb = d.rainbow
    return [
        ["Typology code", d.code],
        ["Basis", f"{d.basis.value} ({d.basis.geographic} geographic, {d.basis.functional} functional)"],
        ["Age groups", _count_list(d.populations.age_groups)],
        ["Population types", _count_list(d.populations.population_types, free_text=True)],
        ["Organisations", ", ".join(o.name for o in d.organisations) or "none recorded"],
        ["Sectors", _count_list(d.sectors)],
        ["Highest level", f"{words(d.depth.highest)} (Leutz: {words(d.depth.leutz_degree)})"],
        ["Typical (median) level", words(d.depth.median)],
        ["Breadth", f"{d.breadth.value} ({d.breadth.horizontal} horizontal, {d.breadth.vertical} vertical, "
                    f"{d.breadth.outside_tiers} outside the tiers)"],
        ["Rainbow types", ", ".join(rb.types_present) or "none"],
        ["Rainbow enablers", ", ".join(rb.enablers_present) or "none"],
        ["Mechanisms", _count_list(d.mechanisms)],
        ["Boundary alignment", alignment],
        ["Ambition", f"{plural(d.ambition.count, 'link')} below target, {plural(d.ambition.total_gap, 'step')} in all, "
                     f"largest gap {d.ambition.largest_gap}"],
        ["Structural challenges", str(len(d.structural_challenges))],
    ]


def descriptor_tables(d: TypologyDescriptor) -> list[tuple[str, Table]]:
    """The descriptor's detail tables, each with its heading, for Markdown and Word alike."""
    tables: list[tuple[str, Table]] = [
        ("Sectors joined", (["Sector pair", "Links", "Highest level", "Through a shared hub"],
                            [[words(p.pair), str(p.links), "—" if p.highest is None else words(p.highest),
                              "—" if p.highest_through_shared is None else
                              f"{plural(p.through_shared, 'link')}, up to {words(p.highest_through_shared)}"]
                             for p in d.sector_pairs])),
        ("Depth: links by level", (["Level", "Links", "Leutz degree"],
                                   [[words(lv), str(n), words(LEUTZ[Level(lv)])]
                                    for lv, n in d.depth.distribution.items()])),
        ("Rainbow Model (Valentijn)", (["Type", "Present", "Evidence"],
                                       [[words(name), "yes" if f.present else "no", _evidence(f.evidence,
                                                                                            f.evidence_count)]
                                        for name, f in {**d.rainbow.types, **d.rainbow.enablers}.items()])),
    ]
    if d.boundary_alignment.pairs:
        tables.append(("Boundary alignment", (
            ["Layers", "Coterminous by people", "Coterminous by units", "Straddles", "Gaps", "Double cover", "Nesting violations",
             "Unmanaged interfaces", "Straddling units"],
            [[f"{words(p.layers[0])} with {words(p.layers[1])}",
              "n/a" if p.coterminosity is None else f"{p.coterminosity:.0%}",
              "n/a" if p.coterminosity_units is None else f"{p.coterminosity_units:.0%}", str(p.straddles), str(p.gaps),
              str(p.double_cover), str(p.nesting_violations), str(p.unmanaged_interfaces),
              ", ".join(p.straddling_units)] for p in d.boundary_alignment.pairs])))
    unmanaged = d.boundary_alignment.unmanaged
    if unmanaged:
        shown = unmanaged[:UNMANAGED_SHOWN]
        rows = [[m.a_name, m.b_name, f"{m.population:,.0f}"] for m in shown]
        if len(unmanaged) > len(shown):
            rows.append([f"and {plural(len(unmanaged) - len(shown), 'more pair')}", "", ""])
        tables.append(("Unmanaged interfaces", (["Unit", "Shares people with", "People shared"], rows)))
    if d.ambition.links:
        tables.append(("Ambition: links below their target", (
            ["Between", "Now", "Target", "Gap"],
            [[f"{a.source_name} – {a.target_name}", words(a.actual), words(a.target_level), str(a.gap)]
             for a in d.ambition.links])))
    return tables


def _evidence(items: list[str], total: int) -> str:
    more = f" (and {total - len(items)} more)" if total > len(items) else ""
    return "; ".join(items) + more


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with every cell escaped.

    Examples
    --------
    >>> print(markdown_table(["Name", "Level"], [["A|B", "co_located"]]))
    | Name | Level |
    | --- | --- |
    | A\\|B | co_located |
    """
    lines = ["| " + " | ".join(markdown_cell(h) for h in header) + " |",
             "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


FigureLink = tuple[str, str, str]
"""A figure in a Markdown page: (caption, alt text, the image file's path relative to the page)."""


def descriptor_to_markdown(d: TypologyDescriptor, figures: Sequence[FigureLink] = (), note: str = "") -> str:
    """The descriptor as one Markdown page, with links to its figures' image files when given.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> from integramap.analysis.typology import describe_site
    >>> md = descriptor_to_markdown(describe_site(Site(id="s", name="=Demo", units=[
    ...     Unit(id="a", name="A", kind="team")])))
    >>> md.splitlines()[0]
    "# Integration model: '=Demo"
    """
    parts = [f"# Integration model: {markdown_text(d.site.name)}", "",
             f"Typology code: **`{d.code}`**", "",
             " ".join(markdown_text(s) for s in summary_sentences(d)), ""]
    if figures or note:
        parts += ["## The map and figures", ""]
        for number, (caption, alt, target) in enumerate(figures, start=1):
            parts += [f"![{_alt_text(alt)}]({target.replace(' ', '%20')})", "",
                      f"*Figure {number}. {markdown_text(caption)}*", ""]
        if note:
            parts += [f"*{markdown_text(note)}*", ""]
    parts += ["## At a glance", "", markdown_table(["Aspect", "This site"], overview_rows(d)), ""]
    for heading, (header, rows) in descriptor_tables(d):
        parts += [f"## {heading}", "", markdown_table(header, rows) if rows else "None recorded.", ""]
    parts += ["## Structural challenges", ""]
    if d.structural_challenges:
        parts += [f"- **{markdown_text(words(c.rule))}**: "
                  f"{markdown_text(c.explanation)}" for c in d.structural_challenges]
    else:
        parts.append("None found: no link's facets contradict its level.")
    parts += ["", "## Definitions", ""]
    parts += [f"- **{words(k)}**: {markdown_text(v)}" for k, v in d.breadth.definitions.items()]
    parts += ["- **Leutz degree**: linkage = interface or closer working; coordination = co-located or "
              "pooled management; full integration = merged governance or fully merged.",
              "- **Typology code**: see `integramap describe --explain-code`.", ""]
    return "\n".join(parts)


def _alt_text(text: str) -> str:
    """Alt text inside ``![...]``: brackets and newlines would end it early."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


def write_descriptor_markdown(d: TypologyDescriptor, path: str | Path,
                              pictures: "BoardPictures | None" = None) -> list[Path]:
    """Write the page and, beside it, one image file per picture (PNG, or SVG when there is no PNG).

    The images are named after the page (``board.md`` → ``board-map.png``) and linked from it.
    Returns the files written, the page last: it is written once its images are in place.
    """
    page = Path(path)
    written: list[Path] = []
    figures: list[FigureLink] = []
    for pic in pictures.pictures if pictures is not None else []:
        data: bytes | str | None = pic.png if pic.png is not None else pic.svg
        if data is None:
            continue
        image = page.with_name(f"{page.stem}-{pic.name}.{'png' if pic.png is not None else 'svg'}")
        written.append(write_text_atomic(image, data))
        figures.append((pic.caption, pic.alt, image.name))
    note = pictures.note() if pictures is not None else ""
    written.append(write_text_atomic(page, descriptor_to_markdown(d, figures, note)))
    return written


def comparison_rows(c: Comparison) -> list[list[str]]:
    """The sites side by side, one row per headline fact."""
    rows = [[question] for question, _ in overview_rows(c.descriptors[0])]
    for d in c.descriptors:
        for row, (_, answer) in zip(rows, overview_rows(d)):
            row.append(answer)
    return [["Site", *(d.site.name for d in c.descriptors)], *rows]


def comparison_to_markdown(c: Comparison) -> str:
    """A comparison as one Markdown page: side by side, similarity, level matrix, version diff."""
    labels = list(c.labels)
    parts = ["# Comparison of integration models", "", markdown_table(["", *labels], comparison_rows(c)), "",
             "## Similarity", "",
             "Score from 0 (nothing in common) to 1 (the same model); weights: "
             + ", ".join(f"{words(k)} {w:.2f}" for k, w in WEIGHTS.items()) + ".", ""]
    parts.append(markdown_table(
        ["Sites", "Score", *(words(k) for k in WEIGHTS)],
        [[f"{s.a} – {s.b}", f"{s.score:.2f}", *(f"{comp.value:.2f}" for comp in s.components)]
         for s in c.similarity]))
    parts += ["", "## Highest level joining each pair of sectors", ""]
    matrix = [[words(pair), *(words(lv) if lv is not None else "—" for lv in by_site.values())]
              for pair, by_site in c.level_matrix.items()]
    parts += [markdown_table(["Sector pair", *labels], matrix) if matrix else "No sectors are joined.", ""]
    if c.diff is not None:
        parts += diff_to_markdown(c.diff)
    return "\n".join(parts)


def diff_headline(diff: SiteDiff) -> str:
    """The changes between two versions in one sentence of counts."""
    return (f"{plural(len(diff.units_added), 'unit')} added, {len(diff.units_removed)} removed, "
            f"{len(diff.units_changed)} changed; {plural(len(diff.links_added), 'link')} added, "
            f"{len(diff.links_removed)} removed, {len(diff.links_changed)} changed "
            f"({plural(diff.levels_up, 'level')} up, {diff.levels_down} down).")


def diff_to_markdown(diff: SiteDiff) -> list[str]:
    """The changes between two versions of a site, as Markdown lines."""
    parts = [f"## Changes from {markdown_text(diff.before)} to {markdown_text(diff.after)}", "",
             diff_headline(diff), ""]
    rows = [["unit added", u.id, u.name, u.kind] for u in diff.units_added]
    rows += [["unit removed", u.id, u.name, u.kind] for u in diff.units_removed]
    rows += [["unit changed", u.id, u.name, "; ".join(f"{ch.field}: {ch.before} → {ch.after}" for ch in u.changes)]
             for u in diff.units_changed]
    rows += [["link added", lk.id, f"{lk.source} – {lk.target}", words(lk.level)] for lk in diff.links_added]
    rows += [["link removed", lk.id, f"{lk.source} – {lk.target}", words(lk.level)] for lk in diff.links_removed]
    for lk in diff.links_changed:
        what = [f"level {words(lk.level_before)} → {words(lk.level_after)} ({lk.direction})"] \
            if lk.direction != "same" else []
        what += [f"{ch.field}: {ch.before} → {ch.after}" for ch in lk.changes]
        rows.append(["link changed", lk.id, f"{lk.source} – {lk.target}", "; ".join(what)])
    rows += [["area added", a, "", ""] for a in diff.areas_added]
    rows += [["area removed", a, "", ""] for a in diff.areas_removed]
    if rows:
        parts += [markdown_table(["Change", "Id", "What", "Detail"], rows), ""]
    return parts
