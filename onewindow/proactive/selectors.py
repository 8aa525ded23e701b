"""Reads of the personal space (我的待办): one's own recommendations and choices, nobody else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from onewindow.core import clock
from onewindow.proactive.models import Preference, Recommendation, RecommendationKind

# A recommendation stays listed for a while after its date: a renewal can still be filed late.
SHOWN_AFTER_DUE = dt.timedelta(days=30)


def recommendations_due(*, user: Any) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(
        user=user, dismissed_at__isnull=True, due_on__gte=clock.today() - SHOWN_AFTER_DUE
    ).select_related("item", "bundle")


def preferences_of(*, user: Any) -> list[Preference]:
    """One row per kind, the defaults where the person never chose."""
    chosen = {p.kind: p for p in Preference.objects.filter(user=user)}
    return [chosen.get(kind) or Preference(user=user, kind=kind) for kind in RecommendationKind.values]
