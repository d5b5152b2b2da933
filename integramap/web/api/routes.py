"""``/api/v1``: sites and their revisions over HTTP, for scripts.

Every request names its person in the ``Authorization`` header: HTTP Basic
with an account's name and password, or ``Bearer`` with a personal token
(``integramap users token NAME``). Session cookies are not accepted here, so
a page on another site cannot make a signed-in browser call the API; a write
must also be sent as ``application/json``, which a plain cross-site form
cannot do. What each person may read and write is checked by the same
:class:`~integramap.store.access.PersonalStore` the pages use.

Status codes: 200/201 done, 401 no or wrong credentials, 403 the role does not
allow it, 404 no such site (or one the person may not see), 409 the base is
not the latest revision, 415 not JSON, 422 the body or the document is
invalid (every fault with its location), 429 too many failed sign-ins,
503 the database is busy.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from integramap.io.sitefile import site_to_data
from integramap.model import SiteError, validate_site
from integramap.people import Person, Role
from integramap.store import ConflictError, StoreError, UnknownSiteError
from integramap.store.access import NotAllowed, PersonalStore
from integramap.store.accounts import TooManyAttempts

PREFIX = "/api/v1"
REALM = 'Basic realm="IntegraMap", charset="UTF-8"'


class SiteSummary(BaseModel):
    """A site as ``GET /api/v1/sites`` lists it."""

    id: str
    name: str
    revision: int
    updated_at: str
    author: str
    units: int
    links: int
    role: str


class SiteDocument(BaseModel):
    """``GET /api/v1/sites/{id}``: the latest revision's number and document."""

    revision: int
    document: dict[str, Any]


class NewRevision(BaseModel):
    """``POST /api/v1/sites/{id}/revisions``: a document, the revision it was based on
    (``null`` to create the site) and why."""

    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]
    base: int | None = Field(ge=1)
    message: str = Field(default="", max_length=2000)


class Saved(BaseModel):
    """The revision a save made."""

    revision: int


class Problem(BaseModel):
    """One fault in a request: where (a path into the JSON body) and what is wrong."""

    loc: list[str | int]
    message: str


class ErrorBody(BaseModel):
    """Every error response: a sentence, and for 422 every fault located."""

    message: str
    errors: list[Problem] = []


def person_from_authorization(store: PersonalStore) -> tuple[Person | None, str]:
    """The person an ``Authorization`` header names, or ``None`` with the reason."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        person = store.accounts.person_for_token(value.strip())
        return person, "" if person else "That token is not valid."
    if scheme.lower() == "basic" and value.strip():
        try:
            name, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, "The Basic credentials are not valid base64 of name:password."
        from integramap.web.common.auth import FAILURE_WINDOW_SECONDS, MAX_FAILURES

        try:
            person = store.accounts.sign_in(name, password, most_failures=MAX_FAILURES,
                                            window_seconds=FAILURE_WINDOW_SECONDS)
        except TooManyAttempts:
            return None, "rate-limited"
        return person, "" if person else "That name and password do not match."
    return None, "Sign in with HTTP Basic (name and password) or a personal token (Bearer)."


def error(status: int, message: str, problems: list[Problem] | None = None) -> Response:
    """A JSON error response."""
    response = jsonify(ErrorBody(message=message, errors=problems or []).model_dump())
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def install_api(server: Flask, store: PersonalStore) -> None:
    """Add the ``/api/v1`` routes to ``server``."""
    api = Blueprint("integramap_api", __name__, url_prefix=PREFIX)

    @api.get("/openapi.json")
    def openapi() -> Response:
        from .openapi import document

        return jsonify(document())

    @api.get("/sites")
    def list_sites() -> Response:
        person = store.person()
        sites = [SiteSummary(id=s.id, name=s.name, revision=s.latest, updated_at=s.updated_at.isoformat(),
                             author=s.author, units=s.units, links=s.links,
                             role=(person.role(s.id) or Role.VIEWER).value)
                 for s in store.list_sites()]
        return jsonify([s.model_dump() for s in sites])

    @api.get("/sites/<site_id>")
    def get_site(site_id: str) -> Response:
        try:
            revision = store.get(site_id)
        except UnknownSiteError:
            return error(404, f"There is no site {site_id!r}, or you may not see it.")
        return jsonify(SiteDocument(revision=revision.number, document=site_to_data(revision.site)).model_dump())

    @api.get("/sites/<site_id>/boundaries")
    def boundaries(site_id: str) -> Response:
        from integramap.analysis.boundaries import analyse
        from integramap.web.boundaries.findings import default_layers, site_layers

        try:
            revision = store.get(site_id)
        except UnknownSiteError:
            return error(404, f"There is no site {site_id!r}, or you may not see it.")
        options = site_layers(revision.site)
        known = {o.spec for o in options}
        first, second = default_layers(options)
        a, b = request.args.get("a") or first, request.args.get("b") or second
        wrong = [Problem(loc=[name], message=f"is {value!r}; expected one of {sorted(known)}")
                 for name, value in (("a", a), ("b", b)) if value not in known]
        if wrong or a is None or b is None:
            return error(422, "Choose two of the site's layers to compare.", wrong)
        report = analyse(revision.site, a, b)
        return jsonify({"revision": revision.number, "report": report.model_dump(mode="json")})

    @api.post("/sites/<site_id>/revisions")
    def save(site_id: str) -> Response:
        if not request.is_json:
            return error(415, "Send the body as JSON (Content-Type: application/json).")
        body = request.get_json(silent=True)
        try:
            wanted = NewRevision.model_validate(body)
        except ValidationError as err:
            return error(422, "The request body is not valid.",
                         [Problem(loc=list(e["loc"]), message=e["msg"]) for e in err.errors()])
        try:
            site = validate_site(wanted.document, source="document")
        except SiteError as err:
            return error(422, "The document is not a valid site.",
                         [Problem(loc=["document", *p.loc], message=p.message) for p in err.problems])
        if site.id != site_id:
            return error(422, "The document is for another site.",
                         [Problem(loc=["document", "id"], message=f"is {site.id!r}; expected {site_id!r}, "
                                                                  "the site in the address")])
        person = store.person()
        try:
            info = store.save(site, author=person.name, message=wanted.message, base=wanted.base)
        except NotAllowed as err:
            return error(403, str(err))
        except UnknownSiteError:
            return error(404, f"There is no site {site_id!r}, or you may not see it.")
        except ConflictError as err:
            response = error(409, str(err))
            return response
        except ValueError as err:
            return error(422, str(err))
        except StoreError as err:
            return error(503, str(err))
        response = jsonify(Saved(revision=info.number).model_dump())
        response.status_code = 201
        response.headers["Location"] = f"{PREFIX}/sites/{site_id}"
        return response

    server.register_blueprint(api)
