"""The Atlas page's data: the national atlas built from the files on this computer, and ICB sites.

The national practice → PCN lookup and the ONS LSOA → district lookup are
found where the south-east London demo finds them
(:func:`integramap.demo.reference_file`). Reading them and cutting out all 42
ICBs takes a few seconds, so it runs as a background job and the result is
kept in memory for as long as the files are unchanged. Opening an ICB cuts
it out of the kept national site (:func:`integramap.analysis.atlas.icb_site`)
and stores it as a site of its own, once: the next person to open it is
sent to the stored site.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from integramap.analysis.atlas import Atlas, AtlasIndex, atlas, atlas_index, icb_site
from integramap.analysis.typology import TypologyDescriptor, describe_site
from integramap.demo import DemoDataError, MissingFile, reference_file
from integramap.io.nhs import import_nhs
from integramap.model import Site, UnitKind, validate_site
from integramap.store import Store
from integramap.web.common.jobs import Progress
from integramap.web.common.services import Services

NATIONAL_ID = "england"
"""The national site's id: each ICB's site is ``england-<ICB code>``."""
AUTHOR = "IntegraMap atlas"
"""Who an ICB site's first revision is saved by, when the browser has no name remembered."""

FileKey = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class AtlasFiles:
    """The two national files the atlas is built from."""

    practices: Path
    lsoa_lad: Path

    def key(self) -> FileKey:
        """What identifies this issue of the files: a changed file is a new atlas."""
        out = []
        for path in (self.practices, self.lsoa_lad):
            stat = path.stat()
            out.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
        return tuple(out)


@dataclass(frozen=True)
class NationalAtlas:
    """The national site, its atlas and each ICB's typology descriptor (by ICB code)."""

    files: FileKey
    site: Site
    found: Atlas
    descriptors: dict[str, TypologyDescriptor]
    index: AtlasIndex
    seconds: float

    def icb_unit_id(self, code: str) -> str:
        """The id of the ICB with this ODS code in the national site; ``KeyError`` if there is none."""
        for unit in self.site.units:
            if unit.kind is UnitKind.SYSTEM and (unit.attributes.code or unit.id) == code:
                return unit.id
        raise KeyError(f"no ICB {code!r} in the national files")


def find_files(data_dir: Path | None = None) -> AtlasFiles:
    """The two national files; :class:`DemoDataError` naming every one missing and where it is published."""
    found: dict[str, Path] = {}
    missing: list[MissingFile] = []
    for key in ("practices", "lsoa_lad"):
        try:
            found[key] = reference_file(key, data_dir)
        except DemoDataError as err:
            missing += err.missing
    if missing:
        raise DemoDataError(missing)
    return AtlasFiles(**found)


_lock = threading.Lock()
_kept: dict[FileKey, NationalAtlas] = {}


def kept(files: AtlasFiles) -> NationalAtlas | None:
    """The atlas already built from these files, if any."""
    with _lock:
        return _kept.get(files.key())


def build_national(files: AtlasFiles, progress: Progress) -> NationalAtlas:
    """Read the files, build every ICB's atlas entry and descriptor, and keep the result."""
    key = files.key()
    start = time.perf_counter()
    progress(0.02, "Reading the national practice → PCN lookup and the LSOA → district lookup")
    site = import_nhs(practices=files.practices, lsoa_lad=files.lsoa_lad, site_id=NATIONAL_ID, name="England")
    progress(0.45, "Cutting out every ICB and finding the PCNs that cross boundaries")
    found = atlas(site)
    progress(0.75, "Describing each ICB's model, to find the ones most alike")
    index = atlas_index(site)
    descriptors: dict[str, TypologyDescriptor] = {}
    systems = [u for u in site.units if u.kind is UnitKind.SYSTEM]
    for i, unit in enumerate(systems):
        descriptors[unit.attributes.code or unit.id] = describe_site(icb_site(site, unit.id, index))
        progress(0.75 + 0.24 * (i + 1) / max(1, len(systems)), f"Described {i + 1} of {len(systems)} ICBs")
    result = NationalAtlas(key, site, found, descriptors, index, time.perf_counter() - start)
    with _lock:
        _kept.clear()  # one issue of the files at a time: a national site is large
        _kept[key] = result
    progress(1.0, "Done")
    return result


def icb_site_id(code: str) -> str:
    """The stored id of an ICB's site.

    Examples
    --------
    >>> icb_site_id("QKK")
    'england-QKK'
    """
    return f"{NATIONAL_ID}-{code}"


def hidden_from_person(store: Store, site_id: str) -> bool:
    """Whether the site is stored but the signed-in person may not see it (someone else built it)."""
    return not store.exists(site_id) and Store.exists(store, site_id)


def build_icb(services: Services, files: AtlasFiles, code: str, author: str, progress: Progress) -> str:
    """Cut one ICB out of the national site (building that first if needed) and store it; its site id.

    An ICB already stored (someone opened it first) is not built again.
    """
    site_id = icb_site_id(code)
    if services.store.exists(site_id):
        progress(1.0, "Done")
        return site_id
    national = kept(files) or build_national(files, progress.part(0.0, 0.8))
    progress(0.82, "Cutting out the ICB: its practices and every PCN with a practice in it, whole")
    cut = icb_site(national.site, national.icb_unit_id(code), national.index)
    data = cut.model_dump(mode="json", exclude_unset=True)
    data["id"] = site_id
    data["description"] = (f"{cut.name}: its GP practices and every primary care network with a practice in "
                           "it, kept whole, over the local authority districts and sub-ICB locations they lie "
                           "in. Built from the national files published by NHS England and the Office for "
                           "National Statistics under the Open Government Licence v3.0.")
    site = validate_site(data, source=f"the atlas's ICB {code}")
    progress(0.92, "Saving the site")
    services.store.save(site, author=author, message="Built from the national NHS and ONS files (the atlas)",
                        base=None)
    progress(1.0, "Done")
    return site.id
