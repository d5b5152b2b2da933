"""The OpenAPI 3.1 description of ``/api/v1``, built from the same pydantic models the routes use."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from integramap import __version__

from .routes import PREFIX, ErrorBody, NewRevision, Saved, SiteDocument, SiteSummary

_MODELS: list[type[BaseModel]] = [SiteSummary, SiteDocument, NewRevision, Saved, ErrorBody]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {401: "No or wrong credentials", 403: "Your role on the site does not allow this",
             404: "No such site, or one you may not see", 409: "The base is not the latest revision",
             415: "The body is not JSON", 422: "The body or the document is not valid; every fault located",
             429: "Too many failed sign-ins for this name", 503: "The database is busy: try again"}
    return {str(code): _json(_ref(ErrorBody), words[code]) for code in codes}


def document() -> dict[str, Any]:
    """The OpenAPI description.

    Examples
    --------
    >>> doc = document()
    >>> doc["openapi"], sorted(doc["paths"])
    ('3.1.0', ['/api/v1/sites', '/api/v1/sites/{id}', '/api/v1/sites/{id}/boundaries', '/api/v1/sites/{id}/revisions'])
    """
    schemas: dict[str, Any] = {}
    for model in _MODELS:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    site_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
               "description": "The site's id"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "IntegraMap", "version": __version__,
                 "description": "Sites and their revisions. Sign in with HTTP Basic (account name and "
                                "password) or a personal token as a Bearer token."},
        "security": [{"basic": []}, {"token": []}],
        "paths": {
            f"{PREFIX}/sites": {"get": {
                "summary": "The sites you may see",
                "responses": {"200": _json({"type": "array", "items": _ref(SiteSummary)}, "Visible sites"),
                              **_errors(401, 429, 503)}}},
            f"{PREFIX}/sites/{{id}}": {"get": {
                "summary": "A site's latest revision", "parameters": [site_id],
                "responses": {"200": _json(_ref(SiteDocument), "The latest revision"),
                              **_errors(401, 404, 429, 503)}}},
            f"{PREFIX}/sites/{{id}}/boundaries": {"get": {
                "summary": "Boundary findings of the latest revision for two layers (a, b; defaults "
                           "where not given)", "parameters": [
                    site_id, {"name": "a", "in": "query", "schema": {"type": "string"}},
                    {"name": "b", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object"}, "The revision and its BoundaryReport"),
                              **_errors(401, 404, 422, 429, 503)}}},
            f"{PREFIX}/sites/{{id}}/revisions": {"post": {
                "summary": "Save a new revision (base null creates the site)", "parameters": [site_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(NewRevision)}}},
                "responses": {"201": _json(_ref(Saved), "Saved"),
                              **_errors(401, 403, 404, 409, 415, 422, 429, 503)}}},
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                "token": {"type": "http", "scheme": "bearer"}},
        },
    }
