"""What a page module declares so the app shell can route to it and list it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageSpec:
    """A page's address, its name in the navigation bar and its layout.

    ``needs_site`` pages get the chosen site in their link (``/map?site=…``).
    ``in_nav`` is False for pages reached only by links. ``needs_accounts`` pages (sharing a
    site with others) are listed only to someone signed in with an account: in single-user mode
    there is no one to share with.
    """

    path: str
    name: str
    order: int
    layout: Callable[..., Any]
    title: str = ""
    needs_site: bool = True
    in_nav: bool = True
    needs_accounts: bool = False
