"""The accessibility audit for browser tests: axe-core's WCAG 2.0, 2.1 and 2.2 A/AA rules run in the page.

axe-core's script comes from the ``axe-playwright-python`` test dependency (its Playwright half is
not imported); selenium injects it into the page the test has open and runs it there.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
"""Every rule axe-core files under WCAG 2.0, 2.1 or 2.2 at level A or AA."""


@cache
def axe_script() -> str:
    """axe-core's minified script, read from the installed package without importing Playwright."""
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]' brings axe-core"
    return (Path(next(iter(spec.submodule_search_locations))) / "axe.min.js").read_text(encoding="utf-8")


def axe_version(driver: Any) -> str:
    """The version of axe-core loaded into the page (after :func:`audit`)."""
    return str(driver.execute_script("return window.axe ? window.axe.version : '';"))


def audit(driver: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG A/AA violations on the page as it is now (an empty list when it passes).

    Each violation is axe's own record: ``id`` (the rule), ``impact``, ``help`` and ``nodes`` (each
    with the CSS ``target`` and a ``failureSummary``).
    """
    if not driver.execute_script("return !!window.axe;"):
        driver.execute_script(axe_script())
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]); });", WCAG_TAGS)
    return list(result or [])


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations in words for a failing assertion: rule, impact, what it wants, and where."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} — {len(v.get('nodes', []))} element(s)")
        for node in v.get("nodes", [])[:6]:
            summary = " ".join(str(node.get("failureSummary", "")).split())[:300]
            lines.append(f"    {node.get('target')}: {summary}")
    return "\n".join(lines)


def assert_accessible(driver: Any, where: str) -> None:
    """Fail naming every WCAG A/AA violation axe-core finds on the page as it is now."""
    violations = audit(driver)
    assert not violations, f"{where}: {len(violations)} WCAG rule(s) violated\n{describe(violations)}"
