"""The published catalogue as linked data: CPSV-AP 3.2 in Turtle and JSON-LD (mounted at /api/v1/catalog)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from onewindow.catalogue.exchange.cpsv import JSON_LD, TURTLE, catalogue_export
from onewindow.core.schemas import COMMON_ERRORS

router = Router(tags=["catalogue exchange"])


def _export(media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(catalogue_export(media_type), content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _openapi(media_type: str) -> dict[str, object]:
    schema = {"type": "object"} if media_type == JSON_LD else {"type": "string"}
    return {"responses": {200: {"description": "CPSV-AP 3.2", "content": {media_type: {"schema": schema}}}}}


@router.get(
    "/cpsv-ap.ttl",
    response={200: None, **COMMON_ERRORS},
    summary="The published catalogue as CPSV-AP 3.2 (Turtle)",
    openapi_extra=_openapi(TURTLE),
)
def cpsv_turtle(request: HttpRequest) -> HttpResponse:
    """Every published item as a cpsv:PublicService and every life-event bundle as a cv:Event."""
    return _export(TURTLE, "cpsv-ap.ttl")


@router.get(
    "/cpsv-ap.jsonld",
    response={200: None, **COMMON_ERRORS},
    summary="The published catalogue as CPSV-AP 3.2 (JSON-LD)",
    openapi_extra=_openapi(JSON_LD),
)
def cpsv_jsonld(request: HttpRequest) -> HttpResponse:
    """The same graph as the Turtle export, in JSON-LD."""
    return _export(JSON_LD, "cpsv-ap.jsonld")
