"""The API's errors in its OpenAPI document: every operation answers a client error with the
application/problem+json body that core.errors writes, not Litestar's default 400 body."""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

from core.errors import PROBLEM_JSON

_TEXT = Schema(type=OpenAPIType.STRING)

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    description="An error a person can act on, in Vietnamese and English (RFC 9457).",
    required=["type", "status", "title", "detail", "messages"],
    properties={
        "type": _TEXT,
        "status": Schema(type=OpenAPIType.INTEGER, minimum=400, maximum=599),
        "title": _TEXT,
        "detail": Schema(
            type=OpenAPIType.STRING, description="In the caller's language (Vietnamese unless set)"
        ),
        "messages": Schema(
            type=OpenAPIType.OBJECT, required=["vi", "en"], properties={"vi": _TEXT, "en": _TEXT}
        ),
        "instance": _TEXT,
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            description="The fields that were not valid",
            items=Schema(
                type=OpenAPIType.OBJECT,
                properties={"key": _TEXT, "message": _TEXT, "source": _TEXT},
            ),
        ),
    },
)

_CLIENT_ERROR = OpenAPIResponse(
    description="The request was refused; `detail` says why",
    content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference("#/components/schemas/Problem"))},
)
_OPERATIONS = ("get", "head", "put", "post", "delete", "patch")
# Downloads whose type is the stored file's, one of several: Litestar documents one type only.
DOWNLOADS = {
    ("/api/documents/{document_id}", "get"): ("application/pdf", "image/jpeg", "image/png"),
}


def declare_problems(openapi: OpenAPI) -> None:
    """Replace the generated 400 and add every other client error (4XX), all as Problem."""
    openapi.components.schemas["Problem"] = PROBLEM
    responses = openapi.components.responses = dict(openapi.components.responses or {})
    responses["ClientError"] = _CLIENT_ERROR
    reference = Reference("#/components/responses/ClientError")
    for path_item in (openapi.paths or {}).values():
        for name in _OPERATIONS:
            operation = getattr(path_item, name, None)
            if operation is None:
                continue
            operation.responses = dict(operation.responses or {})
            operation.responses["400"] = reference
            operation.responses["4XX"] = reference
    for (path, name), media_types in DOWNLOADS.items():
        operation = getattr((openapi.paths or {}).get(path), name, None)
        if operation is not None:
            binary = Schema(type=OpenAPIType.STRING)
            operation.responses["200"] = OpenAPIResponse(
                description="The file as it was uploaded",
                content={media_type: OpenAPIMediaType(schema=binary) for media_type in media_types},
            )


def declare_problems_on_startup(app: Litestar) -> None:
    """At start, once every route is registered (the document is built from the routes)."""
    declare_problems(app.openapi_schema)
