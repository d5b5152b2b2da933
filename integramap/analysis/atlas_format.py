"""The national atlas as text, Markdown and CSV: one line (or row) per ICB, then its straddling PCNs."""

from __future__ import annotations

import csv
import io

from ..io.safe_text import markdown_cell, markdown_text, neutralise_formula
from ..wording import plural
from .atlas import ATLAS_LAYERS, Atlas, IcbEntry, PcnSplit

__all__ = ["ATLAS_CSV_COLUMNS", "atlas_csv", "format_atlas"]

ATLAS_CSV_COLUMNS = [
    "code", "name", "practices", "pcns", "unallocated_practices", "shared_pcns",
    "pcns_across_districts", "pcns_across_locations",
    "district_coterminosity_people", "district_coterminosity_units",
    "location_coterminosity_people", "location_coterminosity_units", "typology_code",
    "straddling_pcns",
]
_LAYER_WORDS = {"local_authority": ("districts", "district"),
                "place": ("sub-ICB locations", "sub-ICB location")}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _split(s: PcnSplit) -> str:
    parts = ", ".join(f"{share * 100:.0f}% {name}" for share, name in zip(s.split.values(), s.partner_names))
    shared = f" (also in {', '.join(s.other_icbs)})" if s.other_icbs else ""
    return f"{s.name}{shared}: {parts}"


def _row(entry: IcbEntry) -> list[str]:
    la, place = entry.coterminosity["local_authority"], entry.coterminosity["place"]
    return [entry.code, entry.name, str(entry.practices), str(entry.pcns), str(entry.unallocated_practices),
            str(len(entry.shared_pcns)), str(len(entry.straddles["local_authority"])),
            str(len(entry.straddles["place"])), _pct(la.people), _pct(la.units), _pct(place.people),
            _pct(place.units), entry.typology_code]


_HEADINGS = ["ICB", "name", "practices", "PCNs", "in no PCN", "PCNs shared with another ICB",
             "PCNs across districts", "PCNs across locations", "people in main district",
             "PCNs in one district", "people in main location", "PCNs in one location", "typology code"]


def format_atlas(found: Atlas, fmt: str = "text") -> str:
    """The atlas as plain text (``"text"``) or Markdown (``"md"``).

    Examples
    --------
    >>> from integramap.analysis.atlas import atlas
    >>> from integramap.model import Site, Unit, Area
    >>> site = Site(id="n", name="N", areas=[Area(id=a) for a in ("l1", "l2")], units=[
    ...     Unit(id="ICB:A", name="ICB A", kind="system", footprint={"l1": 1, "l2": 1}),
    ...     Unit(id="LAD:X", name="Lambeth", kind="organisation", org_type="local_authority",
    ...          footprint={"l1": 1}),
    ...     Unit(id="LAD:Y", name="Southwark", kind="organisation", org_type="local_authority",
    ...          footprint={"l2": 1}),
    ...     Unit(id="pcn", name="Croxted PCN", kind="pcn", parent="ICB:A"),
    ...     *[Unit(id=f"p{i}", name=f"P{i}", kind="practice", parent="pcn", footprint={f"l{i}": 1})
    ...       for i in (1, 2)]])
    >>> print("\\n".join(format_atlas(atlas(site)).splitlines()[-3:]))
    ICB A (ICB:A)
      1 PCN across districts:
        - Croxted PCN: 50% Lambeth, 50% Southwark
    """
    if fmt == "md":
        out = ["# The atlas of integrated care boards", "",
               "| " + " | ".join(_HEADINGS) + " |", "|" + " --- |" * len(_HEADINGS)]
        out += ["| " + " | ".join(markdown_cell(c) for c in _row(e)) + " |" for e in found.icbs]
        for entry in found.icbs:
            sections = _sections(entry)
            if sections:
                out += ["", f"## {markdown_text(entry.name)} ({markdown_text(entry.code)})"]
            for title, items in sections:
                out += ["", f"{markdown_text(title)}:", ""] + [f"- {markdown_text(item)}" for item in items]
        return "\n".join(out) + "\n"
    rows = [_HEADINGS[:2] + ["practices", "PCNs", "no PCN", "shared", "across LAs", "across locs",
                             "LA people", "LA units", "loc people", "loc units", "code"]]
    rows += [_row(e) for e in found.icbs]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [f"The atlas of integrated care boards: {plural(len(found.icbs), 'ICB')}",
           "(LA people: share of people in their PCN's main district, each practice's list counting as "
           "one where list sizes are not given; LA units: share of PCNs wholly within one district; "
           "loc: the same for sub-ICB locations)", ""]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    for entry in found.icbs:
        sections = _sections(entry)
        if sections:
            out += ["", f"{entry.name} ({entry.code})"]
        for title, items in sections:
            out += [f"  {title}:"] + [f"    - {item}" for item in items]
    return "\n".join(out) + "\n"


def _sections(entry: IcbEntry) -> list[tuple[str, list[str]]]:
    out = []
    for layer in ATLAS_LAYERS:
        found = entry.straddles[layer]
        if found:
            title = f"{plural(len(found), 'PCN')} across {_LAYER_WORDS[layer][0]}"
            out.append((title, [_split(s) for s in found]))
    return out


def atlas_csv(found: Atlas) -> str:
    """One row per ICB (text cells formula-safe), with its straddling PCNs in the last column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ATLAS_CSV_COLUMNS)
    for entry in found.icbs:
        straddling = "; ".join(f"{_LAYER_WORDS[layer][1]}: {_split(s)}" for layer in ATLAS_LAYERS
                               for s in entry.straddles[layer])
        la, place = entry.coterminosity["local_authority"], entry.coterminosity["place"]
        figures = ["" if v is None else f"{v:.4f}" for v in (la.people, la.units, place.people, place.units)]
        counts = [str(v) for v in (entry.practices, entry.pcns, entry.unallocated_practices,
                                   len(entry.shared_pcns), len(entry.straddles["local_authority"]),
                                   len(entry.straddles["place"]))]
        writer.writerow([neutralise_formula(entry.code), neutralise_formula(entry.name), *counts, *figures,
                         entry.typology_code, neutralise_formula(straddling)])
    return buffer.getvalue()
