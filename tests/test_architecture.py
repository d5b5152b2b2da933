"""The library stands on its own: nothing outside integramap/web imports the web app or Dash.

Every module of the package is parsed (not imported) and each ``import`` and ``from … import`` in
it, at any depth (inside functions too), is resolved to the absolute module it names.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "integramap"
WEB = PACKAGE / "web"

ALLOWED = {("integramap/cli/serve_commands.py", "integramap.web.serve")}
"""The ``serve`` and ``worker`` commands start the web app: their whole purpose is to run it."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """The absolute names of every module ``path`` imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            # ``from integramap import web`` names the web package in its alias.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _forbidden(name: str) -> bool:
    return any(name == top or name.startswith(top + ".")
               for top in ("integramap.web", "dash", "dash_cytoscape", "dash_bootstrap_components", "flask"))


def test_relative_imports_are_resolved() -> None:
    found = imported_modules(PACKAGE / "io" / "map_picture.py")
    assert "integramap.layout.vocabulary" in found
    assert "integramap.model" in found
    # The checker would see the imports this module used to make of the web app.
    assert _forbidden("integramap.web.map.styles") and _forbidden("dash") and not _forbidden("dashboard")


def test_no_module_outside_web_imports_the_web_app_or_dash() -> None:
    offenders: list[str] = []
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if WEB not in p.parents]
    assert len(modules) > 50, "the walk found the library's modules"
    for path in modules:
        where = path.relative_to(ROOT).as_posix()
        for name in sorted(imported_modules(path)):
            allowed = any(where == file and (name == module or name.startswith(module + "."))
                          for file, module in ALLOWED)
            if _forbidden(name) and not allowed:
                offenders.append(f"{where} imports {name}")
    assert offenders == []
