"""Layers: the sets of units whose boundaries are compared.

A layer is named by a unit kind (``pcn``, ``lcn``, ``place``, ``team``…) or an
organisation type (``local_authority``, ``nhs_trust``…), optionally narrowed
by a sector and then by a function. Written as a string for the command line
and the web app::

    WORD[:SECTOR[:FUNCTION]]

    pcn                            every primary care network
    local_authority                every organisation of type local authority
    team:mental_health             teams working in mental health
    team:mental_health:psychosis   those of them whose functions include psychosis
    team::frailty                  teams of any sector whose functions include frailty
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from ..graph import units_of
from ..model import OrgType, Sector, Site, Unit, UnitKind

__all__ = ["Layer", "LayerError", "as_layer", "layer_units"]

_KIND_WORDS = [k.value for k in UnitKind]
_ORG_TYPE_WORDS = [o.value for o in OrgType]
_SECTOR_WORDS = [s.value for s in Sector]

_PLURALS = {
    "system": "systems", "place": "places", "organisation": "organisations",
    "directorate": "directorates", "team": "teams", "pcn": "PCNs", "lcn": "LCNs",
    "practice": "practices", "hub": "hubs", "nhs_trust": "NHS trusts",
    "local_authority": "local authorities", "gp_federation": "GP federations",
    "voluntary": "voluntary organisations", "independent": "independent organisations",
    "commissioner": "commissioners",
}
_SINGULARS = {
    "pcn": "PCN", "lcn": "LCN", "nhs_trust": "NHS trust", "gp_federation": "GP federation",
    "voluntary": "voluntary organisation", "independent": "independent organisation",
}


class LayerError(ValueError):
    """A layer spec that cannot be read; the message names the valid words."""


class Layer(BaseModel):
    """A set of units compared as one boundary set.

    Exactly one of ``kind`` and ``org_type`` names the units; ``sector`` and
    ``function`` narrow them (a function matches case-insensitively).

    Examples
    --------
    >>> Layer.parse("team:mental_health:psychosis")
    Layer(kind=<UnitKind.TEAM: 'team'>, org_type=None, sector=<Sector.MENTAL_HEALTH: 'mental_health'>, function='psychosis')
    >>> str(Layer.parse("local_authority")), Layer.parse("pcn").label
    ('local_authority', 'PCNs')
    >>> Layer.parse("team:mental_health:psychosis").label
    'mental health teams (psychosis)'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: UnitKind | None = None
    org_type: OrgType | None = None
    sector: Sector | None = None
    function: str | None = None

    @model_validator(mode="after")
    def _one_name(self) -> Layer:
        if (self.kind is None) == (self.org_type is None):
            raise ValueError("a layer is named by exactly one of a unit kind or an org type")
        if self.function is not None and not self.function.strip():
            raise ValueError("a layer's function cannot be blank")
        return self

    @classmethod
    def parse(cls, spec: str) -> Layer:
        """Read ``WORD[:SECTOR[:FUNCTION]]``; :class:`LayerError` names the valid words.

        Examples
        --------
        >>> Layer.parse("team::frailty").function
        'frailty'
        >>> Layer.parse("pnc")
        Traceback (most recent call last):
        ...
        integramap.analysis.layers.LayerError: unknown layer 'pnc'; expected a unit kind (system, ...
        """
        if not isinstance(spec, str):
            raise LayerError(f"a layer is written as text, got {type(spec).__name__}")
        text = spec.strip()
        parts = text.split(":")
        if len(parts) > 3:
            raise LayerError(f"layer {spec!r} has {len(parts)} parts; expected WORD[:SECTOR[:FUNCTION]], "
                             "e.g. team:mental_health:psychosis")
        word = parts[0].strip().casefold()
        sector_word = parts[1].strip().casefold() if len(parts) > 1 else ""
        function = parts[2].strip() if len(parts) > 2 else ""
        if word in _KIND_WORDS:
            kind, org_type = UnitKind(word), None
        elif word in _ORG_TYPE_WORDS:
            kind, org_type = None, OrgType(word)
        else:
            raise LayerError(
                f"unknown layer {parts[0].strip() or spec!r}; expected a unit kind "
                f"({', '.join(_KIND_WORDS)}) or an org type ({', '.join(_ORG_TYPE_WORDS)}), "
                "optionally followed by :SECTOR and :FUNCTION, e.g. team:mental_health:psychosis")
        sector = None
        if sector_word:
            if sector_word not in _SECTOR_WORDS:
                hint = (f"; to narrow by function only, write {word}::{parts[1].strip()}"
                        if len(parts) == 2 else "")
                raise LayerError(f"unknown sector {parts[1].strip()!r} in layer {spec!r}; expected one of "
                                 f"{', '.join(_SECTOR_WORDS)}{hint}")
            sector = Sector(sector_word)
        if len(parts) > 2 and not function:
            raise LayerError(f"layer {spec!r} ends with an empty function; write the function after "
                             "the second ':' or leave the ':' out")
        return cls(kind=kind, org_type=org_type, sector=sector, function=function or None)

    @property
    def word(self) -> str:
        """The unit kind or org type that names the layer."""
        return str(self.kind if self.kind is not None else self.org_type)

    def __str__(self) -> str:
        parts = [self.word]
        if self.sector is not None or self.function is not None:
            parts.append(str(self.sector) if self.sector is not None else "")
        if self.function is not None:
            parts.append(self.function)
        return ":".join(parts)

    @property
    def label(self) -> str:
        """The layer in words, plural: ``mental health teams (psychosis)``."""
        noun = _PLURALS.get(self.word, self.word.replace("_", " "))
        if self.sector is not None:
            noun = f"{self.sector.label} {noun}"
        if self.function is not None:
            noun = f"{noun} ({self.function})"
        return noun

    @property
    def singular(self) -> str:
        """One unit of the layer in words: ``PCN``, ``mental health team (psychosis)``."""
        noun = _SINGULARS.get(self.word, self.word.replace("_", " "))
        if self.sector is not None:
            noun = f"{self.sector.label} {noun}"
        if self.function is not None:
            noun = f"{noun} ({self.function})"
        return noun

    def units(self, site: Site) -> list[Unit]:
        """The site's units in this layer, in site order."""
        return units_of(site, kind=self.kind, org_type=self.org_type, sector=self.sector,
                        function=self.function)


def as_layer(layer: Layer | str) -> Layer:
    """A :class:`Layer` from a layer or its string spec.

    Examples
    --------
    >>> as_layer("lcn") == as_layer(Layer(kind="lcn"))
    True
    """
    return layer if isinstance(layer, Layer) else Layer.parse(layer)


def layer_units(site: Site, layer: Layer | str) -> list[Unit]:
    """The site's units in a layer, in site order.

    Examples
    --------
    >>> from integramap.model import Site, Unit
    >>> site = Site(id="s", name="S", units=[
    ...     Unit(id="la", name="Council", kind="organisation", org_type="local_authority"),
    ...     Unit(id="p1", name="PCN 1", kind="pcn")])
    >>> [u.id for u in layer_units(site, "local_authority")]
    ['la']
    """
    return as_layer(layer).units(site)
