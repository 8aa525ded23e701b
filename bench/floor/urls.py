"""One endpoint: ``GET /track/<number>`` — the case's status and dates by its unique, indexed number."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def track(request: HttpRequest, number: str) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, status, submitted_at, accepted_at, concluded_at FROM cases_case WHERE number = %s",
            [number],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    keys = ("number", "status", "submitted_at", "accepted_at", "concluded_at")
    return JsonResponse(dict(zip(keys, row, strict=True)))


urlpatterns = [path("track/<str:number>", track)]
