"""Building the site of :mod:`integramap.io.nhs` from its plain records.

The records' codes are checked by their readers, so the site is built from
model objects directly (:func:`integramap.model.trusted.construct`) and then
checked as a whole: ids and names taken from the files, and the site's
integrity. Only a site that fails that check is validated field by field,
which names the fault as for any other file. Building the whole country this
way takes a small fraction of validating it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..bulk import collector_paused
from ..model import Area, OrgType, Sector, Site, Source, Unit, UnitAttributes, UnitKind, validate_site
from ..model.trusted import check_trusted, construct
from .nhs_records import LsoaRecord, PracticeRecord

__all__ = ["LOC_PREFIX", "ICB_PREFIX", "LAD_PREFIX", "LIST_PREFIX", "build_site"]

LOC_PREFIX = "LOC:"
ICB_PREFIX = "ICB:"
LAD_PREFIX = "LAD:"
LIST_PREFIX = "list:"

OGL = "Open Government Licence v3.0"
PUBLISHER = "NHS England, NHS Digital (ODS) and the Office for National Statistics"

_PRIMARY_CARE = [Sector.PRIMARY_CARE]
_COMMISSIONING = [Sector.COMMISSIONING]
_COUNCIL = [Sector.SOCIAL_CARE, Sector.PUBLIC_HEALTH]


def area_of(record: PracticeRecord) -> str:
    """The id of a practice's area: its registered list."""
    return LIST_PREFIX + record.code


def build_site(records: list[PracticeRecord], lsoas: list[LsoaRecord] | None, lad_codes: set[str],
               site_id: str, name: str, sources: list[str], metadata: dict[str, Any],
               source: str) -> Site:
    """The site of these practices and districts, checked as validation would check it.

    ``metadata`` is added to the site's ``metadata["import"]``; ``source``
    names the import in any error.
    """
    with collector_paused():
        lsoa_by_code = {r.code: r for r in lsoas} if lsoas is not None else {}
        lad_names: dict[str, str] = {}
        lad_areas: dict[str, dict[str, float]] = {code: {} for code in lad_codes}
        missing_lsoas: list[str] = []
        if records:
            areas = _list_areas(records, lsoa_by_code, lsoas is not None, lad_areas, lad_names, missing_lsoas)
        else:
            areas = _lsoa_areas(lsoas or [], lad_areas, lad_names)
        units = _nhs_units(records)
        units += [_district(code, lad_names.get(code) or code, lad_areas[code]) for code in sorted(lad_areas)]
        text = "; ".join(sources)
        info = {"practices": len(records), "pcns": len({r.pcn_code for r in records if r.pcn_code}),
                "practices_without_pcn": [r.code for r in records if r.pcn_code is None],
                "practice_lsoas_not_in_lookup": missing_lsoas, **metadata}
        site = construct(Site, id=site_id, name=name,
                         description=f"Imported from national reference data: {text}.",
                         source=construct(Source, title=text, publisher=PUBLISHER, licence=OGL),
                         areas=areas, units=units, metadata={"import": info})
        from_files = [u.id for u in units] + [a.id for a in areas]
        if check_trusted(site, [site_id, *from_files], [name, *(u.name for u in units)]):
            # Validate in full only to name the fault; a site that passes is as good.
            return validate_site(site.model_dump(mode="json", exclude_unset=True), source=source)
        return site


def _list_areas(records: list[PracticeRecord], lsoa_by_code: dict[str, LsoaRecord], have_lookup: bool,
                lad_areas: dict[str, dict[str, float]], lad_names: dict[str, str],
                missing_lsoas: list[str]) -> list[Area]:
    """Each practice's registered list, with its premises' LSOA and district in ``codes``."""
    areas: list[Area] = []
    for r in records:
        area_id = area_of(r)
        codes: dict[str, str] = {}
        if r.lsoa:
            codes["lsoa"] = r.lsoa
            home = lsoa_by_code.get(r.lsoa)
            if home is not None:
                codes.update(_district_codes(home))
                footprint = lad_areas.get(home.lad_code)
                if footprint is not None:
                    footprint[area_id] = 1.0
                    lad_names.setdefault(home.lad_code, home.lad_name)
            elif have_lookup:
                missing_lsoas.append(r.code)
        areas.append(construct(Area, id=area_id, name=f"Registered list of {r.name}", codes=codes))
    return areas


def _lsoa_areas(lsoas: list[LsoaRecord], lad_areas: dict[str, dict[str, float]],
                lad_names: dict[str, str]) -> list[Area]:
    """The LSOAs of the districts kept: the areas when no practice is known."""
    areas: list[Area] = []
    for lsoa in lsoas:
        footprint = lad_areas.get(lsoa.lad_code)
        if footprint is None:
            continue
        areas.append(construct(Area, id=lsoa.code, name=lsoa.name, codes=_district_codes(lsoa)))
        footprint[lsoa.code] = 1.0
        lad_names.setdefault(lsoa.lad_code, lsoa.lad_name)
    return areas


def _district_codes(lsoa: LsoaRecord) -> dict[str, str]:
    codes = {"lad": lsoa.lad_code}
    if lsoa.utla_code:
        codes["utla"] = lsoa.utla_code
    return codes


def _district(code: str, name: str, footprint: dict[str, float]) -> Unit:
    return construct(Unit, id=LAD_PREFIX + code, name=name, kind=UnitKind.ORGANISATION,
                     org_type=OrgType.LOCAL_AUTHORITY, sectors=list(_COUNCIL), footprint=footprint,
                     attributes=construct(UnitAttributes, code=code))


def _majority(counter: Counter[str]) -> str:
    """The most common value; ties go to the lowest code, so imports are repeatable."""
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _nhs_units(records: list[PracticeRecord]) -> list[Unit]:
    """Systems, places, PCNs and practices; a PCN's parent is ODS's, else where most practices are."""
    icb_names: dict[str, str] = {}
    loc_names: dict[str, str] = {}
    # defaultdict: setdefault(key, Counter()) would build a Counter for every practice.
    loc_icbs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    pcn_names: dict[str, str] = {}
    pcn_locs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    ods_pcn_locs: defaultdict[str, Counter[str]] = defaultdict(Counter)
    loc_areas: dict[str, dict[str, float]] = {}
    icb_areas: dict[str, dict[str, float]] = {}
    practices: list[Unit] = []
    for r in records:
        area_id = area_of(r)
        if r.icb_code:
            icb_names.setdefault(r.icb_code, r.icb_name or r.icb_code)
            icb_areas.setdefault(r.icb_code, {})[area_id] = 1.0
        if r.sub_icb_code:
            loc_names.setdefault(r.sub_icb_code, r.sub_icb_name or r.sub_icb_code)
            loc_areas.setdefault(r.sub_icb_code, {})[area_id] = 1.0
            if r.icb_code:
                loc_icbs[r.sub_icb_code][r.icb_code] += 1
        if r.pcn_code:
            pcn_names.setdefault(r.pcn_code, r.pcn_name or r.pcn_code)
            if r.sub_icb_code:
                pcn_locs[r.pcn_code][r.sub_icb_code] += 1
            if r.pcn_sub_icb_code:
                ods_pcn_locs[r.pcn_code][r.pcn_sub_icb_code] += 1
                loc_names.setdefault(r.pcn_sub_icb_code, r.pcn_sub_icb_name or r.pcn_sub_icb_code)
                loc_areas.setdefault(r.pcn_sub_icb_code, {})
        practices.append(construct(Unit, id=r.code, name=r.name, kind=UnitKind.PRACTICE,
                                   sectors=list(_PRIMARY_CARE), parent=r.pcn_code, footprint={area_id: 1.0},
                                   attributes=construct(UnitAttributes, code=r.code)))

    units: list[Unit] = []
    for code in sorted(icb_names):
        units.append(construct(Unit, id=ICB_PREFIX + code, name=icb_names[code], kind=UnitKind.SYSTEM,
                               sectors=list(_COMMISSIONING), footprint=icb_areas[code],
                               attributes=construct(UnitAttributes, code=code)))
    for code in sorted(loc_names):
        parent = ICB_PREFIX + _majority(loc_icbs[code]) if code in loc_icbs else None
        units.append(construct(Unit, id=LOC_PREFIX + code, name=loc_names[code], kind=UnitKind.PLACE,
                               sectors=list(_COMMISSIONING), parent=parent, footprint=loc_areas[code],
                               attributes=construct(UnitAttributes, code=code)))
    for code in sorted(pcn_names):
        # ODS's own parent where the file gives one; else where most of its practices are.
        homes = ods_pcn_locs.get(code) or pcn_locs.get(code)
        parent = LOC_PREFIX + _majority(homes) if homes else None
        units.append(construct(Unit, id=code, name=pcn_names[code], kind=UnitKind.PCN,
                               sectors=list(_PRIMARY_CARE), parent=parent,
                               attributes=construct(UnitAttributes, code=code)))
    units.extend(practices)
    return units
