"""ICBs like mine: the atlas's ICBs nearest to a chosen one.

Nearness is first the Compare page's similarity of the two typology
descriptors (:func:`integramap.analysis.compare.similarity_of`), then, among
ICBs equally similar there, the closeness of their boundary figures. Built
from the national files alone, every ICB has the same kinds of unit and no
links, so the typology similarity is usually 1.0 for all of them and the
boundary figures decide: :func:`boundary_distance` is the mean of the
differences in the four coterminosity figures (PCNs with districts and with
sub-ICB locations, by people and by units), the share of practices in no
PCN, and size (practices, a fourfold difference counting as 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from .atlas import ATLAS_LAYERS, Atlas, IcbEntry
from .compare import similarity_of
from .typology import TypologyDescriptor

__all__ = ["Neighbour", "boundary_distance", "icbs_like"]

SIZE_SCALE = math.log(4)
"""A fourfold difference in practices counts as a whole unit of distance."""


class Neighbour(BaseModel):
    """An ICB near the chosen one, and how near."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    similarity: float = Field(description="The Compare page's similarity of the two typology descriptors, 0-1.")
    distance: float = Field(description="boundary_distance of the two ICBs: 0 is identical figures.")
    typology_code: str


def _figures(entry: IcbEntry) -> list[float]:
    out = []
    for layer in ATLAS_LAYERS:
        figures = entry.coterminosity[layer]
        # No PCN to judge counts as wholly coterminous: nothing straddles.
        out += [1.0 if figures.people is None else figures.people, 1.0 if figures.units is None else figures.units]
    out.append(entry.unallocated_practices / entry.practices if entry.practices else 0.0)
    return out


def boundary_distance(a: IcbEntry, b: IcbEntry) -> float:
    """How far apart two ICBs' boundary figures are: 0 when identical, about 1 when opposite.

    Examples
    --------
    >>> from integramap.analysis.whatif import Coterminosity
    >>> def icb(code, people, practices):
    ...     c = Coterminosity(people=people, units=people)
    ...     return IcbEntry(code=code, name=code, practices=practices, pcns=10, unallocated_practices=0,
    ...                     shared_pcns=[], straddles={}, coterminosity={"local_authority": c, "place": c},
    ...                     typology_code="X")
    >>> boundary_distance(icb("A", 0.9, 100), icb("A", 0.9, 100))
    0.0
    >>> round(boundary_distance(icb("A", 1.0, 100), icb("B", 0.7, 400)), 3)
    0.367
    """
    fa, fb = _figures(a), _figures(b)
    parts = [abs(x - y) for x, y in zip(fa, fb)]
    if a.practices and b.practices:
        parts.append(min(1.0, abs(math.log(a.practices / b.practices)) / SIZE_SCALE))
    else:
        parts.append(0.0 if a.practices == b.practices else 1.0)
    return sum(parts) / len(parts)


def icbs_like(found: Atlas, code: str, descriptors: Mapping[str, TypologyDescriptor] | None = None,
              n: int = 5) -> list[Neighbour]:
    """The ``n`` ICBs nearest to ICB ``code``: most similar model first, then closest boundary figures.

    ``descriptors`` are the ICBs' typology descriptors by code; without them
    (or for an ICB missing there) the similarity is taken as 1.0 and only the
    boundary figures rank. ``KeyError`` for a code not in the atlas.

    Examples
    --------
    >>> from integramap.analysis.whatif import Coterminosity
    >>> def icb(code, people):
    ...     c = Coterminosity(people=people, units=people)
    ...     return IcbEntry(code=code, name=f"ICB {code}", practices=50, pcns=8, unallocated_practices=0,
    ...                     shared_pcns=[], straddles={}, coterminosity={"local_authority": c, "place": c},
    ...                     typology_code="X")
    >>> found = Atlas(icbs=[icb("A", 0.95), icb("B", 0.60), icb("C", 0.90), icb("D", 0.99)])
    >>> [(x.code, round(x.distance, 3)) for x in icbs_like(found, "A", n=2)]
    [('D', 0.027), ('C', 0.033)]
    """
    by_code = {entry.code: entry for entry in found.icbs}
    if code not in by_code:
        raise KeyError(f"no ICB {code!r} in the atlas")
    mine = by_code[code]
    mine_descriptor = (descriptors or {}).get(code)
    out = []
    for entry in found.icbs:
        if entry.code == code:
            continue
        theirs = (descriptors or {}).get(entry.code)
        score = 1.0 if mine_descriptor is None or theirs is None else similarity_of(mine_descriptor, theirs).score
        out.append(Neighbour(code=entry.code, name=entry.name, similarity=score,
                             distance=round(boundary_distance(mine, entry), 6), typology_code=entry.typology_code))
    out.sort(key=lambda x: (-x.similarity, x.distance, x.code))
    return out[:max(0, n)]
