"""The workbench menu shows 统计分析 only to those who may open it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onewindow.analytics.scope import analytics_access


def menu(request: HttpRequest) -> dict[str, Any]:
    # Lazy: only pages that draw the workbench menu pay for the membership query.
    return {"analytics_access": SimpleLazyObject(lambda: analytics_access(user=request.user))}
