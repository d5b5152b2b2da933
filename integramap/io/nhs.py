"""Build a site from the national NHS and ONS reference files.

The mapping (DESIGN.md): GP practice → ``practice``; PCN → ``pcn``; sub-ICB
location → ``place``; ICB → ``system``; local authority district →
``organisation`` of org type ``local_authority``; LSOA → area.

Ids cannot collide across kinds: practices and PCNs keep their ODS codes
(PCN codes all start with ``U``, practice codes never do), sub-ICB locations
are ``LOC:<code>``, ICBs ``ICB:<code>``, districts ``LAD:<code>``.

Areas (DESIGN.md, "each practice's registered list can be an area"): where
practices are known, every practice's area is its registered list,
``list:<practice code>``, of unknown population (none of the files gives list
sizes, so each list counts as one), carrying its premises' LSOA and that
LSOA's district in its ``codes`` (``lsoa``, ``lad``, ``utla``) so that a map
can draw it in the LSOA's polygon. Only an LSOA → LAD lookup imported alone
makes LSOAs the areas.

Footprints: a practice covers its list with weight 1; a place and a system
cover the lists of the practices they commission; a district covers the lists
of the practices whose premises' LSOA lies in it (or, imported alone, its
LSOAs). Two practices in one LSOA but different sub-ICB locations are
different people, so neither place claims the other's patients. PCN
footprints are left empty on purpose: the boundary analysis derives a PCN's
footprint from its practices, so a PCN whose practices sit in two sub-ICB
locations or districts shows as a straddle, split by practices; the lists of
practices in no PCN (code ``U``) are the ``pcn`` layer's gaps.

Everything is read into plain records and dicts, and the site is validated
once at the end: the whole country imports in a couple of seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import Problem, Site, validate_site
from .nhs_records import LsoaRecord, PracticeRecord
from .ons import read_lsoa_lad
from .tabular import CellProblem, close_matches, import_error

__all__ = ["import_nhs", "import_summary", "LOC_PREFIX", "ICB_PREFIX", "LAD_PREFIX", "LIST_PREFIX"]

LOC_PREFIX = "LOC:"
ICB_PREFIX = "ICB:"
LAD_PREFIX = "LAD:"
LIST_PREFIX = "list:"

OGL = "Open Government Licence v3.0"


def import_nhs(practices: Path | None = None, epcn: Path | None = None, lsoa_lad: Path | None = None,
               icb: list[str] | None = None, sub_icb: list[str] | None = None, lad: list[str] | None = None,
               include_inactive: bool = False, site_id: str = "nhs-reference",
               name: str = "NHS and ONS reference data", *, epraccur: Path | None = None) -> Site:
    """Import NHS practice/PCN data and an ONS LSOA → LAD lookup as one validated site.

    With practices, the areas are the practices' registered lists (``list:<code>``),
    each carrying its premises' LSOA and district in ``codes``; with the LSOA →
    LAD lookup alone, the LSOAs.

    Parameters
    ----------
    practices
        A practice → PCN lookup CSV (with LSOAs, or NHS Digital's gp-reg-pat-prac-map).
    epcn
        The ODS ePCN workbook. With ``practices`` too, the ePCN gives PCN
        membership and sub-ICB locations, and the lookup gives LSOAs and ICBs.
    lsoa_lad
        An ONS LSOA → local authority district lookup CSV.
    icb, sub_icb, lad
        Keep only practices in these ICBs, sub-ICB locations or districts
        (codes, any case; filters combine). Districts kept are those holding a
        kept practice; with no practice file, the districts named (and their
        LSOAs as areas).
    include_inactive
        Also read ePCN relationships that have ended (the latest one per practice).
    site_id, name
        The new site's id and name.
    epraccur
        The ODS ``epraccur`` file: each practice's commissioner and ICB, used
        with an ePCN workbook that lacks them.

    Raises
    ------
    SiteError
        For any fault in any file, naming the file, line and column, or an
        unknown filter code with close matches.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "lsoa.csv").write_text(
    ...     "LSOA21CD,LSOA21NM,LAD22CD,LAD22NM\\nE01000001,City 001A,E09000001,City of London\\n")
    >>> site = import_nhs(lsoa_lad=folder / "lsoa.csv")
    >>> [(u.id, u.org_type.value, list(u.footprint)) for u in site.units]
    [('LAD:E09000001', 'local_authority', ['E01000001'])]
    """
    if practices is None and epcn is None and lsoa_lad is None:
        raise import_error([CellProblem((), "nothing to import: give a practice lookup, an ePCN workbook "
                                        "or an LSOA → LAD lookup")])
    records, sources = _practice_records(practices, epcn, epraccur, include_inactive)
    lsoas = read_lsoa_lad(lsoa_lad) if lsoa_lad is not None else None
    if lsoa_lad is not None:
        sources.append(f"ONS LSOA → local authority lookup ({Path(lsoa_lad).name})")

    has_practices = practices is not None or epcn is not None
    lsoa_by_code = {r.code: r for r in lsoas} if lsoas is not None else {}
    unplaced: list[str] = []
    if has_practices:
        records = _filter_practices(records, icb, sub_icb)
        if lad:
            records, unplaced = _filter_by_lad(records, lad, lsoas, lsoa_by_code)
    elif icb or sub_icb:
        raise import_error([CellProblem((), "--icb and --sub-icb filter practices: give a practice lookup "
                                        "or an ePCN workbook too")])
    lad_codes = _districts(records, lsoas, lsoa_by_code, lad, has_practices)
    data = _site_data(records, lsoas, lad_codes, site_id, name, sources)
    data["metadata"]["import"]["practices_without_lsoa_district"] = unplaced
    return validate_site(data, source=f"import of {', '.join(sources)}")


def import_summary(site: Site) -> str:
    """A short account of an imported site: counts by kind, practices with no PCN.

    Examples
    --------
    >>> from integramap.model import Site
    >>> print(import_summary(Site(id="s", name="S")))
    0 areas, 0 units
    """
    counts = Counter(u.kind.value for u in site.units)
    parts = [f"{len(site.areas)} areas, {len(site.units)} units"]
    labels = [("system", "ICBs"), ("place", "sub-ICB locations"), ("pcn", "PCNs"), ("practice", "practices"),
              ("organisation", "local authority districts")]
    found = [f"{counts[k]} {label}" for k, label in labels if counts.get(k)]
    if found:
        parts.append(" (" + ", ".join(found) + ")")
    info = site.metadata.get("import", {}) if isinstance(site.metadata, dict) else {}
    lines = ["".join(parts)]
    unallocated = info.get("practices_without_pcn") or []
    if counts.get("practice"):
        lines.append(f"{len(unallocated)} practices in no PCN (PCN code U)"
                     + (f": {', '.join(unallocated[:10])}{' …' if len(unallocated) > 10 else ''}"
                        if unallocated else ""))
    missing = info.get("practice_lsoas_not_in_lookup") or []
    if missing:
        lines.append(f"{len(missing)} practices whose LSOA is not in the LSOA → LAD lookup")
    unplaced = info.get("practices_without_lsoa_district") or []
    if unplaced:
        lines.append(f"{len(unplaced)} practices left out by --lad: their LSOA's district is not known")
    return "\n".join(lines)


# --------------------------------------------------------------------------- reading

def _practice_records(practices: Path | None, epcn: Path | None, epraccur: Path | None,
                      include_inactive: bool) -> tuple[list[PracticeRecord], list[str]]:
    sources: list[str] = []
    lookup: list[PracticeRecord] | None = None
    if practices is not None:
        from .nhs_practices import read_practice_lookup

        kind, lookup = read_practice_lookup(practices)
        label = "NHS Digital practice mapping" if kind != "lookup" else "practice → PCN lookup"
        sources.append(f"{label} ({Path(practices).name})")
    if epcn is None:
        return lookup or [], sources
    from .epcn import merge_with_lookup, read_epcn

    records = read_epcn(epcn, epraccur=epraccur, include_inactive=include_inactive)
    sources.append(f"ODS ePCN workbook ({Path(epcn).name})")
    if epraccur is not None:
        sources.append(f"ODS epraccur ({Path(epraccur).name})")
    if lookup is not None:
        records = merge_with_lookup(records, lookup)
    return records, sources


# --------------------------------------------------------------------------- filters

def _filter_practices(records: list[PracticeRecord], icb: Sequence[str] | None,
                      sub_icb: Sequence[str] | None) -> list[PracticeRecord]:
    if icb:
        wanted = _check_codes("--icb", "ICB", icb, [(r.icb_code, r.icb_name) for r in records]
                              + [(r.ons_icb_code, r.icb_name) for r in records])
        records = [r for r in records if r.icb_code in wanted or r.ons_icb_code in wanted]
    if sub_icb:
        wanted = _check_codes("--sub-icb", "sub-ICB location", sub_icb,
                              [(r.sub_icb_code, r.sub_icb_name) for r in records]
                              + [(r.ons_sub_icb_code, r.sub_icb_name) for r in records])
        records = [r for r in records if r.sub_icb_code in wanted or r.ons_sub_icb_code in wanted]
    return records


def _filter_by_lad(records: list[PracticeRecord], lad: Sequence[str], lsoas: list[LsoaRecord] | None,
                   lsoa_by_code: dict[str, LsoaRecord]) -> tuple[list[PracticeRecord], list[str]]:
    if lsoas is None:
        raise import_error([CellProblem((), "--lad needs the LSOA → LAD lookup (--lsoa-lad FILE) to know "
                                        "which district each practice lies in")])
    wanted = _check_codes("--lad", "local authority district", lad, [(r.lad_code, r.lad_name) for r in lsoas])
    kept: list[PracticeRecord] = []
    unplaced: list[str] = []
    for r in records:
        area = lsoa_by_code.get(r.lsoa) if r.lsoa else None
        if area is None:
            unplaced.append(r.code)
        elif area.lad_code in wanted:
            kept.append(r)
    return kept, unplaced


def _check_codes(option: str, what: str, given: Iterable[str], known: Iterable[tuple[str, str]]) -> set[str]:
    """The given codes in upper case, or one error naming each unknown code and its near misses."""
    names: dict[str, str] = {}
    for code, label in known:
        if code:
            names.setdefault(code, label)
    problems: list[Problem] = []
    wanted: set[str] = set()
    for raw in given:
        code = raw.strip().upper()
        if code in names:
            wanted.add(code)
            continue
        by_name = [c for c, label in names.items() if label and label.casefold() == raw.strip().casefold()]
        if by_name:
            wanted.update(by_name)
            continue
        near = close_matches(code, names) or [c for c, label in names.items()
                                              if raw.strip().casefold() in label.casefold()][:5]
        hint = ("; close matches: " + ", ".join(f"{c} ({names[c]})" if names[c] and names[c] != c else c
                                                  for c in near)) if near else ""
        problems.append(CellProblem((), f"{option} {raw!r}: no {what} with this code in the files{hint}"))
    if problems:
        raise import_error(problems)
    return wanted


def _districts(records: list[PracticeRecord], lsoas: list[LsoaRecord] | None,
               lsoa_by_code: dict[str, LsoaRecord], lad: Sequence[str] | None, has_practices: bool) -> set[str]:
    """The districts the site keeps: those holding a kept practice, or those named, or all."""
    if lsoas is None:
        return set()
    if has_practices:
        return {lsoa_by_code[r.lsoa].lad_code for r in records if r.lsoa in lsoa_by_code}
    if lad:
        return _check_codes("--lad", "local authority district", lad, [(r.lad_code, r.lad_name) for r in lsoas])
    return {r.lad_code for r in lsoas}


# --------------------------------------------------------------------------- building

def _majority(counter: Counter[str]) -> str:
    """The most common value; ties go to the lowest code, so imports are repeatable."""
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _area_of(r: PracticeRecord) -> str:
    return LIST_PREFIX + r.code


def _site_data(records: list[PracticeRecord], lsoas: list[LsoaRecord] | None, lad_codes: set[str],
               site_id: str, name: str, sources: list[str]) -> dict[str, Any]:
    lsoa_by_code = {r.code: r for r in lsoas} if lsoas is not None else {}
    lad_units = {code: _district_unit(code) for code in lad_codes}
    areas: list[dict[str, Any]] = []
    missing_lsoas: list[str] = []
    if records:
        # Each practice's registered list is an area: practices sharing premises'
        # LSOA serve different people, and a place or district then covers exactly
        # the lists of its own practices.
        for r in records:
            area_id = _area_of(r)
            area: dict[str, Any] = {"id": area_id, "name": f"Registered list of {r.name}"}
            codes: dict[str, str] = {}
            if r.lsoa:
                codes["lsoa"] = r.lsoa
                home = lsoa_by_code.get(r.lsoa)
                if home is not None:
                    codes.update(_district_codes(home))
                    unit = lad_units.get(home.lad_code)
                    if unit is not None:
                        _name_district(unit, home)
                        unit["footprint"][area_id] = 1.0
                elif lsoas is not None:
                    missing_lsoas.append(r.code)
            if codes:
                area["codes"] = codes
            areas.append(area)
    else:
        for lsoa in lsoas or ():
            unit = lad_units.get(lsoa.lad_code)
            if unit is None:
                continue
            area = {"id": lsoa.code, "codes": _district_codes(lsoa)}
            if lsoa.name:
                area["name"] = lsoa.name
            areas.append(area)
            _name_district(unit, lsoa)
            unit["footprint"][lsoa.code] = 1.0

    units = _nhs_units(records)
    units.extend(lad_units[c] for c in sorted(lad_units))
    unallocated = [r.code for r in records if r.pcn_code is None]
    return {
        "id": site_id, "name": name,
        "description": "Imported from national reference data: " + "; ".join(sources) + ".",
        "source": {"title": "; ".join(sources),
                   "publisher": "NHS England, NHS Digital (ODS) and the Office for National Statistics",
                   "licence": OGL},
        "areas": areas, "units": units,
        "metadata": {"import": {
            "practices": len(records),
            "pcns": len({r.pcn_code for r in records if r.pcn_code}),
            "practices_without_pcn": unallocated,
            "practice_lsoas_not_in_lookup": missing_lsoas,
        }},
    }


def _district_unit(code: str) -> dict[str, Any]:
    return {"id": LAD_PREFIX + code, "name": code, "kind": "organisation", "org_type": "local_authority",
            "sectors": ["social_care", "public_health"], "footprint": {}, "attributes": {"code": code}}


def _name_district(unit: dict[str, Any], lsoa: LsoaRecord) -> None:
    if lsoa.lad_name:
        unit["name"] = lsoa.lad_name


def _district_codes(lsoa: LsoaRecord) -> dict[str, str]:
    codes = {"lad": lsoa.lad_code}
    if lsoa.utla_code:
        codes["utla"] = lsoa.utla_code
    return codes


def _nhs_units(records: list[PracticeRecord]) -> list[dict[str, Any]]:
    """Systems, places, PCNs and practices, parents chosen by where most practices are."""
    icb_names: dict[str, str] = {}
    loc_names: dict[str, str] = {}
    loc_icbs: dict[str, Counter[str]] = {}
    pcn_names: dict[str, str] = {}
    pcn_locs: dict[str, Counter[str]] = {}
    loc_areas: dict[str, dict[str, float]] = {}
    icb_areas: dict[str, dict[str, float]] = {}
    practices: list[dict[str, Any]] = []
    for r in records:
        area_id = _area_of(r)
        if r.icb_code:
            icb_names.setdefault(r.icb_code, r.icb_name or r.icb_code)
            icb_areas.setdefault(r.icb_code, {})[area_id] = 1.0
        if r.sub_icb_code:
            loc_names.setdefault(r.sub_icb_code, r.sub_icb_name or r.sub_icb_code)
            loc_areas.setdefault(r.sub_icb_code, {})[area_id] = 1.0
            if r.icb_code:
                loc_icbs.setdefault(r.sub_icb_code, Counter())[r.icb_code] += 1
        practice: dict[str, Any] = {"id": r.code, "name": r.name, "kind": "practice",
                                    "sectors": ["primary_care"], "footprint": {area_id: 1.0},
                                    "attributes": {"code": r.code}}
        if r.pcn_code:
            practice["parent"] = r.pcn_code
            pcn_names.setdefault(r.pcn_code, r.pcn_name or r.pcn_code)
            if r.sub_icb_code:
                pcn_locs.setdefault(r.pcn_code, Counter())[r.sub_icb_code] += 1
        practices.append(practice)

    units: list[dict[str, Any]] = []
    for code in sorted(icb_names):
        units.append({"id": ICB_PREFIX + code, "name": icb_names[code], "kind": "system",
                      "sectors": ["commissioning"], "footprint": icb_areas[code], "attributes": {"code": code}})
    for code in sorted(loc_names):
        place: dict[str, Any] = {"id": LOC_PREFIX + code, "name": loc_names[code], "kind": "place",
                                 "sectors": ["commissioning"], "footprint": loc_areas[code],
                                 "attributes": {"code": code}}
        if code in loc_icbs:
            place["parent"] = ICB_PREFIX + _majority(loc_icbs[code])
        units.append(place)
    for code in sorted(pcn_names):
        pcn: dict[str, Any] = {"id": code, "name": pcn_names[code], "kind": "pcn", "sectors": ["primary_care"],
                               "attributes": {"code": code}}
        if code in pcn_locs:
            pcn["parent"] = LOC_PREFIX + _majority(pcn_locs[code])
        units.append(pcn)
    units.extend(practices)
    return units
