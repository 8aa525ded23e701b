"""The one error type services raise: a stable machine code plus a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    """One problem with one input field, e.g. a spreadsheet cell or a form field."""

    field: str
    code: str
    message: str
    row: int | None = None


@dataclass
class DomainError(Exception):
    """A refused request. ``code`` is stable for API clients; ``message`` is shown to the person (Chinese).

    ``status`` is the HTTP status the API answers with: 400 bad input, 403 not allowed, 404 not found (also
    for records the caller may not see), 409 conflicts with the record's state.
    """

    code: str
    message: str
    status: int = 400
    problems: list[FieldProblem] = field(default_factory=list)
    # Seconds until a refused attempt may be retried (429 rate limits, 423 locked accounts): Retry-After.
    retry_after: int | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": str(self.message)}
        if self.problems:
            body["problems"] = [
                {k: v for k, v in vars(p).items() if v is not None} | {"message": str(p.message)}
                for p in self.problems
            ]
        return body


class NotFound(DomainError):
    def __init__(self, message: str = "未找到该记录，或您无权查看。") -> None:
        super().__init__(code="not_found", message=message, status=404)


class PermissionDenied(DomainError):
    def __init__(self, message: str = "您没有执行此操作的权限。") -> None:
        super().__init__(code="forbidden", message=message, status=403)
