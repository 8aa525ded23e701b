"""API schemas shared by every app: the error body."""

from __future__ import annotations

from ninja import Schema


class ProblemOut(Schema):
    field: str
    code: str
    message: str
    row: int | None = None


class ErrorOut(Schema):
    """Every refused request: a stable ``code`` for programs, a ``message`` for people."""

    code: str
    message: str
    problems: list[ProblemOut] = []


# Responses every endpoint may give besides its success: declared so the OpenAPI document is complete.
# 503 (``service_unavailable``, with Retry-After) while the database is away: core.resilience.
COMMON_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}
