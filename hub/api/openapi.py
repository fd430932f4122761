"""The OpenAPI 3.1 description of the REST API, built from the app's URL map at request time.

Paths, methods and path parameters come from the routes themselves, summaries from the views'
docstrings, the rest from `openapi_catalog`; a route without a catalogue entry (or the reverse)
is an error, so a new view cannot ship undescribed. Rendered by Swagger UI served from the hub's
own static files (`/api/v1/docs`), never from a CDN.
"""

from __future__ import annotations

import gzip
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from werkzeug.routing import Rule

from hub.api.openapi_catalog import OPERATIONS, PUBLIC, WHO, Op
from hub.api.params import MAX_INT
from hub.domain.errors import NotFound

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

DESCRIBED = ("/api/v1/", "/api/v2/", "/healthz", "/readyz", "/metrics")
SELF = {"openapi.spec", "openapi.docs", "openapi.docs_bundle"}
_PARAM = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-z_]+)>")
ERROR = {"$ref": "#/components/schemas/Error"}
COMMON = {400: "a bad parameter or body, named", 401: "no key or token, or an unknown or revoked one",
          403: "a key or token of another kind, or a role that may not do this",
          404: "no such object, or not yours"}


class UndescribedRoute(RuntimeError):
    """A route has no catalogue entry, or an entry names no route."""


def _hub_version() -> str:
    try:
        return version("ponte-edi-hub")
    except PackageNotFoundError:
        return "0.0.0"


def described_rules(app: Flask) -> list[Rule]:
    """The routes the description covers: the REST API and the operational endpoints."""
    return sorted((r for r in app.url_map.iter_rules()
                   if r.rule.startswith(DESCRIBED) and r.endpoint not in SELF),
                  key=lambda r: (r.rule, r.endpoint))


def build_spec(app: Flask) -> dict[str, Any]:
    """The whole description; raises UndescribedRoute when code and catalogue disagree."""
    rules = described_rules(app)
    missing = sorted({r.endpoint for r in rules} - set(OPERATIONS))
    stale = sorted(set(OPERATIONS) - {r.endpoint for r in rules})
    if missing or stale:
        raise UndescribedRoute(f"routes without a description: {missing}; descriptions without "
                               f"a route: {stale} (hub/api/openapi_catalog.py)")
    paths: dict[str, dict[str, Any]] = {}
    for rule in rules:
        path = _PARAM.sub(lambda m: "{" + m["name"] + "}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule, OPERATIONS[rule.endpoint])
    return {"openapi": "3.1.0",
            "info": {"title": "Ponte EDI hub", "version": _hub_version(),
                     "description": "Errors are JSON `{\"error\": {\"code\", \"message\", \"problems\"}}`."},
            "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                           "schemas": {"Error": _ERROR_SCHEMA}}}


_ERROR_SCHEMA: dict[str, Any] = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "problems": {"type": "array", "items": {"type": "object"}}}}}}


def _operation(app: Flask, rule: Rule, op: Op) -> dict[str, Any]:
    view = app.view_functions[rule.endpoint]
    doc = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
    out: dict[str, Any] = {"operationId": rule.endpoint.replace(".", "_"), "summary": doc,
                           "description": f"Caller: {WHO[op.who]}.",
                           "tags": [re.sub(r"^/api/v\d+/", "", rule.rule).split("/")[0]],
                           "parameters": _path_params(rule, op) + _query_params(op),
                           "responses": _responses(rule, op)}
    if op.who != PUBLIC:
        out["security"] = [{"bearer": []}]
    if op.body is not None:
        out["requestBody"] = _body(op)
    return out


def _path_params(rule: Rule, op: Op) -> list[dict[str, Any]]:
    params = []
    for m in _PARAM.finditer(rule.rule):
        name = m["name"]
        schema: dict[str, Any] = ({"type": "integer", "minimum": 1, "maximum": MAX_INT}
                                  if m["conv"] == "int" else {"type": "string"})
        if name in op.enums:
            schema = {"type": "string", "enum": list(op.enums[name])}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_params(op: Op) -> list[dict[str, Any]]:
    kinds = {"integer": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
             "boolean": {"type": "string", "enum": ["true", "false"]},
             "date-time": {"type": "string", "format": "date-time"},
             "date": {"type": "string", "format": "date"}, "string": {"type": "string"}}
    return [{"name": name, "in": "query", "required": False, "description": meaning,
             "schema": kinds[kind]} for name, kind, meaning in op.params]


def _body(op: Op) -> dict[str, Any]:
    if op.body is not None and op.body.get("format") == "binary":
        media = ("application/edifact", "application/xml", "application/octet-stream")
        return {"required": True, "content": {m: {"schema": op.body} for m in media}}
    return {"required": False, "content": {"application/json": {"schema": op.body}}}


def _responses(rule: Rule, op: Op) -> dict[str, Any]:
    codes: dict[int, str] = {op.ok: "done", 400: COMMON[400]}
    if op.who != PUBLIC:
        codes.update({401: COMMON[401], 403: COMMON[403]})
    if "<" in rule.rule:
        codes[404] = COMMON[404]
    if op.body is not None:
        codes[413] = "larger than HUB_MAX_UPLOAD_BYTES"
    codes.update(op.answers)
    out: dict[str, Any] = {}
    for code in sorted(codes):
        success = 200 <= code < 300 or code in op.plain
        content = ({op.media: {"schema": {"type": "object"} if op.media == "application/json"
                               else {"type": "string"}}} if success
                   else {"application/json": {"schema": ERROR}})
        out[str(code)] = {"description": codes[code], "content": content}
    return out


@bp.get("/openapi.json")
def spec() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build_spec(current_app))


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ponte EDI hub API</title>
<link rel="stylesheet" href="{css}"></head>
<body><div id="swagger-ui" data-spec="{spec}"></div>
<script src="{bundle}"></script><script src="{init}"></script></body></html>
"""


@bp.get("/docs")
def docs() -> Response:
    """The description rendered by Swagger UI, with its assets served by the hub itself."""
    page = _DOCS_PAGE.format(css=url_for("static", filename="swagger-ui/swagger-ui.css"),
                             bundle=url_for("openapi.docs_bundle", asset="swagger-ui-bundle.js"),
                             init=url_for("static", filename="swagger-ui/init.js"),
                             spec=url_for("openapi.spec"))
    return Response(page, mimetype="text/html")


_BUNDLE = Path(__file__).resolve().parents[1] / "static" / "swagger-ui" / "swagger-ui-bundle.js.gz"


@bp.get("/docs/<asset>")
def docs_bundle(asset: str) -> Response:
    """Swagger UI's script, kept gzipped in the repository (1.7 MB plain): sent as it is to browsers
    that accept gzip, unpacked for the others. Any other name is a 404."""
    if asset != _BUNDLE.name.removesuffix(".gz"):
        raise NotFound(f"no docs asset {asset!r}")
    packed = _BUNDLE.read_bytes()
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(packed, mimetype="application/javascript")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(packed), mimetype="application/javascript")
    response.headers["Vary"] = "Accept-Encoding"
    response.cache_control.max_age = 86400
    return response
