"""Reading and writing scenario files (YAML or JSON), located like site files.

A scenario file names the change it tries and lists its edits (see
:mod:`integramap.scenario`). Every fault is reported at once, each with the
file, its line and the edit's field, e.g. ``line 4: edits[0].move.to:
required field is missing``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..scenario import Scenario, validate_scenario
from .sitefile import _Dumper, decode_site_text, format_for, load_text, read_file_bytes, write_text_atomic

__all__ = ["dump_scenario", "parse_scenario", "read_scenario", "write_scenario"]

_EXPECTED = "a scenario with `name` and `edits`"


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; :class:`~integramap.model.SiteError` names every fault."""
    path = Path(path)
    return parse_scenario(read_file_bytes(path), source=str(path), fmt=format_for(path))


def parse_scenario(raw: bytes | str, source: str = "<input>", fmt: str = "yaml") -> Scenario:
    """Parse and validate a scenario from YAML (or JSON) text or bytes.

    Examples
    --------
    >>> scenario = parse_scenario('''
    ... name: Riverbend's southern practices join Fenwick and Southgate
    ... edits:
    ...   - move: {units: [p11, p12], to: pcn-south}
    ... ''')
    >>> scenario.steps()[0][1].moved
    ['p11', 'p12']
    >>> try:
    ...     parse_scenario("name: Try\\nedits:\\n  - move: {unit: p11}\\n  - merge: {units: [a]}\\n",
    ...                    source="try.yaml")
    ... except Exception as err:
    ...     print(err)
    try.yaml: is not a valid scenario (2 problems)
      - line 3: edits[0].move.to: required field is missing
      - line 4: edits[1].merge.units: List should have at least 2 items after validation, not 1
    """
    text = decode_site_text(raw, source)
    data = load_text(text, "json" if fmt == "json" else "yaml", source, expected=_EXPECTED)
    return validate_scenario(data, source=source, text=text)


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data for a scenario: only fields that are set, each edit as ``{kind: fields}``."""
    data: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        data["description"] = scenario.description
    if scenario.site is not None:
        data["site"] = scenario.site
    data["edits"] = [{kind: fields.model_dump(mode="json", exclude_unset=True)}
                     for kind, fields in scenario.steps()]
    return data


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML text that :func:`parse_scenario` reads back.

    Examples
    --------
    >>> print(dump_scenario(parse_scenario("name: Try\\nedits: [{remove: {link: l1}}]")), end="")
    name: Try
    edits:
    - remove:
        link: l1
    """
    return yaml.dump(scenario_to_data(scenario), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100)


def write_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario file atomically (YAML)."""
    return write_text_atomic(path, dump_scenario(scenario))
