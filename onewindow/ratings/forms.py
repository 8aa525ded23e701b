"""Parsing the rating forms (the rules are in the services)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from onewindow.ratings.models import OFFLINE_INDICATORS, ONLINE_INDICATORS


def rating_fields(post: QueryDict, *, online: bool) -> dict[str, Any]:
    """level, indicators and comment from a posted rating form."""
    keys = ONLINE_INDICATORS if online else OFFLINE_INDICATORS
    return {
        "level": post.get("level"),
        "indicators": {key: post.get(f"indicator_{key}") for key in keys},
        "comment": post.get("comment", ""),
    }


def indicator_rows(*, online: bool, post: QueryDict | None = None) -> list[dict[str, Any]]:
    """The optional indicators the form asks about, with what was posted (to show the form again)."""
    keys = ONLINE_INDICATORS if online else OFFLINE_INDICATORS
    return [
        {
            "key": key,
            "label": label,
            "value": (post.get(f"indicator_{key}") if post is not None else "") or "",
        }
        for key, label in keys.items()
    ]
