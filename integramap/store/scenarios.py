"""Scenarios kept beside their site: what-if changes a team wants to return to, compare or apply.

A scenario is stored as the YAML a scenario file holds (:mod:`integramap.io.scenariofile`),
one row per site and name: saving under a name the site already has replaces that
scenario, so a team can refine one idea without a trail of near-copies. Trying or
saving a scenario never changes the site; applying one is an ordinary save.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..io.scenariofile import dump_scenario, parse_scenario
from ..scenario import Scenario
from .schema import ScenarioRow, SiteRow, as_utc

__all__ = ["SavedScenario", "ScenarioStore", "UnknownScenarioError"]


class UnknownScenarioError(KeyError):
    """No scenario of that name is kept beside the site."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class SavedScenario(BaseModel):
    """A stored scenario's particulars (the scenario itself is read with :meth:`ScenarioStore.get`)."""

    model_config = ConfigDict(frozen=True)

    site_id: str
    name: str
    edits: int
    base: int | None
    author: str
    updated_at: datetime


class ScenarioStore:
    """The ``scenarios`` table of a store's database.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from integramap.model import Site
    >>> from integramap.scenario import validate_scenario
    >>> from integramap.store import Store
    >>> store = Store(data_dir=Path(tempfile.mkdtemp()))
    >>> _ = store.save(Site(id="demo", name="Demo"), author="Asha", message="", base=None)
    >>> idea = validate_scenario({"name": "Join up", "edits": [{"remove": {"link": "l1"}}]})
    >>> _ = store.save_scenario("demo", idea, author="Asha", base=1)
    >>> [(s.name, s.edits, s.base) for s in store.list_scenarios("demo")]
    [('Join up', 1, 1)]
    >>> store.get_scenario("demo", "Join up").steps()[0][0]
    'remove'
    >>> store.close()
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, site_id: str, scenario: Scenario, *, author: str, base: int | None) -> SavedScenario:
        """Keep ``scenario`` beside the site under its name, replacing one of the same name."""
        now = datetime.now(UTC)
        document = dump_scenario(scenario.model_copy(update={"site": site_id}))
        values = {"document": document, "edits": len(scenario.edits), "base": base, "author": author,
                  "updated_at": now}
        with self.engine.begin() as conn:
            if conn.execute(select(SiteRow.id).where(SiteRow.id == site_id)).first() is None:
                raise KeyError(site_id)
            this = (ScenarioRow.site_id == site_id) & (ScenarioRow.name == scenario.name)
            changed = conn.execute(update(ScenarioRow).where(this).values(**values))
            if changed.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(ScenarioRow).values(site_id=site_id, name=scenario.name,
                                                                created_at=now, **values))
                except IntegrityError:
                    # Saved under the same name by someone else a moment ago: the later save wins.
                    conn.execute(update(ScenarioRow).where(this).values(**values))
        return SavedScenario(site_id=site_id, name=scenario.name, edits=len(scenario.edits), base=base,
                             author=author, updated_at=now)

    def list(self, site_id: str) -> list[SavedScenario]:
        """The scenarios kept beside a site, by name."""
        query = (select(ScenarioRow.site_id, ScenarioRow.name, ScenarioRow.edits, ScenarioRow.base,
                        ScenarioRow.author, ScenarioRow.updated_at)
                 .where(ScenarioRow.site_id == site_id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = [SavedScenario(site_id=r.site_id, name=r.name, edits=r.edits, base=r.base, author=r.author,
                               updated_at=as_utc(r.updated_at)) for r in rows]
        return sorted(found, key=lambda s: s.name.casefold())

    def get(self, site_id: str, name: str) -> Scenario:
        """The scenario of that name; :class:`UnknownScenarioError` if none is kept."""
        with self.engine.connect() as conn:
            document = conn.execute(select(ScenarioRow.document).where(
                ScenarioRow.site_id == site_id, ScenarioRow.name == name)).scalar()
        if document is None:
            raise UnknownScenarioError(f"No scenario called {name!r} is kept for this site.")
        return parse_scenario(document, source=f"scenario {name!r}")

    def delete(self, site_id: str, name: str) -> None:
        """Forget a scenario; :class:`UnknownScenarioError` if none of that name is kept."""
        with self.engine.begin() as conn:
            gone = conn.execute(delete(ScenarioRow).where(ScenarioRow.site_id == site_id,
                                                          ScenarioRow.name == name))
        if gone.rowcount == 0:
            raise UnknownScenarioError(f"No scenario called {name!r} is kept for this site.")
