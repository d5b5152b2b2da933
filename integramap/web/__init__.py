"""The IntegraMap web app (Dash): the only part of IntegraMap that imports Dash.

``create_app(store)`` builds the app; ``python app.py`` serves it.

The shell (and so Dash) is imported on first use of ``create_app`` or ``page_modules``, not
when the package is: the pure modules under ``web`` (the map's layout and style tables, the
pages' plotly figures) are then usable by the board papers' pictures without loading Dash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integramap.web.shell import create_app, page_modules

__all__ = ["create_app", "page_modules"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from integramap.web import shell

        return getattr(shell, name)
    raise AttributeError(f"module 'integramap.web' has no attribute {name!r}")
