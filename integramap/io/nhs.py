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

Everything is read into plain records, checked by the readers, and the site
is built from them and checked once as a whole (:mod:`integramap.io.nhs_build`):
the whole country imports in about half a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..bulk import collector_paused
from ..model import Problem, Site, Unit
from ..model.trusted import construct
from ..wording import plural
from .nhs_build import ICB_PREFIX, LAD_PREFIX, LIST_PREFIX, LOC_PREFIX, OGL, build_site
from .nhs_records import LsoaRecord, PracticeRecord
from .ons import read_lsoa_lad
from .tabular import CellProblem, close_matches, import_error

__all__ = ["import_nhs", "import_summary", "LOC_PREFIX", "ICB_PREFIX", "LAD_PREFIX", "LIST_PREFIX", "OGL"]


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
    # One pause for the whole import, ended only once the records are freed: the
    # collection that follows then walks the site alone, not the 35,000 LSOAs too.
    with collector_paused():
        return _import(practices, epcn, lsoa_lad, icb, sub_icb, lad, include_inactive, site_id, name, epraccur)


def _import(practices: Path | None, epcn: Path | None, lsoa_lad: Path | None, icb: list[str] | None,
            sub_icb: list[str] | None, lad: list[str] | None, include_inactive: bool, site_id: str, name: str,
            epraccur: Path | None) -> Site:
    records, sources = _practice_records(practices, epcn, epraccur, include_inactive)
    has_practices = practices is not None or epcn is not None
    # With practices, only the LSOAs they stand in are needed (--lad names districts: all of them).
    keep = {r.lsoa for r in records if r.lsoa} if has_practices and not lad else None
    lsoas = read_lsoa_lad(lsoa_lad, keep) if lsoa_lad is not None else None
    if lsoa_lad is not None:
        sources.append(f"ONS LSOA → local authority lookup ({Path(lsoa_lad).name})")

    lsoa_by_code = {r.code: r for r in lsoas} if lsoas is not None else {}
    unplaced: list[str] = []
    outside: list[str] = []
    if has_practices:
        everything = records
        records = _filter_practices(records, icb, sub_icb)
        if lad:
            records, unplaced = _filter_by_lad(records, lad, lsoas, lsoa_by_code)
        if icb or sub_icb or lad:
            records, outside = _whole_pcns(records, everything)
    elif icb or sub_icb:
        raise import_error([CellProblem((), "--icb and --sub-icb filter practices: give a practice lookup "
                                        "or an ePCN workbook too")])
    lad_codes = _districts(records, lsoas, lsoa_by_code, lad, has_practices)
    site = build_site(records, lsoas, lad_codes, site_id, name, sources,
                      {"practices_without_lsoa_district": unplaced, "practices_outside_filter": outside},
                      source=f"import of {', '.join(sources)}")
    return _mark_outside(site, set(outside)) if outside else site


def _mark_outside(site: Site, codes: set[str]) -> Site:
    """Practices kept only because their PCN was: said on the practice, for the map and exports."""
    note = "Outside the imported area: kept because its PCN is partly inside."
    units = [construct(Unit, **{**dict(u), "description": note}) if u.id in codes else u for u in site.units]
    # A fresh site, not model_copy: the copy would keep the original's cached unit index.
    return construct(Site, **{**dict(site), "units": units})


def import_summary(site: Site) -> str:
    """A short account of an imported site: counts by kind, practices with no PCN.

    Examples
    --------
    >>> from integramap.model import Site
    >>> print(import_summary(Site(id="s", name="S")))
    0 areas, 0 units
    """
    counts = Counter(u.kind.value for u in site.units)
    parts = [f"{plural(len(site.areas), 'area')}, {plural(len(site.units), 'unit')}"]
    labels = [("system", "ICB", "ICBs"), ("place", "sub-ICB location", "sub-ICB locations"),
              ("pcn", "PCN", "PCNs"), ("practice", "practice", "practices"),
              ("organisation", "local authority district", "local authority districts")]
    found = [plural(counts[k], one, many) for k, one, many in labels if counts.get(k)]
    if found:
        parts.append(" (" + ", ".join(found) + ")")
    info = site.metadata.get("import", {}) if isinstance(site.metadata, dict) else {}
    lines = ["".join(parts)]
    unallocated = info.get("practices_without_pcn") or []
    if counts.get("practice"):
        lines.append(f"{plural(len(unallocated), 'practice')} in no PCN (PCN code U)"
                     + (f": {', '.join(unallocated[:10])}{' …' if len(unallocated) > 10 else ''}"
                        if unallocated else ""))
    missing = info.get("practice_lsoas_not_in_lookup") or []
    if missing:
        lines.append(f"{plural(len(missing), 'practice')} whose LSOA is not in the LSOA → LAD lookup")
    outside = info.get("practices_outside_filter") or []
    if outside:
        lines.append(f"{plural(len(outside), 'practice')} outside the filter kept with their PCN, so PCNs "
                     f"that cross it stay whole: {', '.join(outside[:10])}{' …' if len(outside) > 10 else ''}")
    unplaced = info.get("practices_without_lsoa_district") or []
    if unplaced:
        lines.append(f"{plural(len(unplaced), 'practice')} left out by --lad: their LSOA's district is not known")
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


def _whole_pcns(kept: list[PracticeRecord],
                everything: list[PracticeRecord]) -> tuple[list[PracticeRecord], list[str]]:
    """The kept practices plus the other practices of every PCN kept, and the codes of those added.

    A filter by ICB, sub-ICB location or district must not cut a PCN: its practices
    outside the filter are what shows that the PCN crosses the boundary.
    """
    pcns = {r.pcn_code for r in kept if r.pcn_code}
    have = {r.code for r in kept}
    added = [r for r in everything if r.pcn_code in pcns and r.code not in have]
    return kept + added, sorted(r.code for r in added)


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
