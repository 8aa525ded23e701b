"""The monthly counters behind the public statistics: changed in the same transaction as the rating, so the
report reads a few hundred rows whatever the number of ratings (bench/ratings.py measures it)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow.ratings.models import Rating, RatingCounter


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _key(rating: Rating) -> str:
    return f"{rating.department_id}:{rating.item_id or '-'}:{rating.channel}:{rating.level}"


def counter_add(rating: Rating, *, ratings: int = 0, rectified_in_time: int = 0) -> None:
    """Add to the counter row of ``rating``'s month, department, item, channel and level (creating it)."""
    key = _key(rating)
    changes = {
        "ratings": F("ratings") + ratings,
        "rectified_in_time": F("rectified_in_time") + rectified_in_time,
    }
    if RatingCounter.objects.filter(month=rating.month, key=key).update(**changes):
        return
    try:
        with transaction.atomic():
            RatingCounter.objects.create(
                month=rating.month,
                key=key,
                department_id=rating.department_id,
                item_id=rating.item_id,
                channel=rating.channel,
                level=rating.level,
                ratings=max(ratings, 0),
                rectified_in_time=max(rectified_in_time, 0),
            )
    except IntegrityError:
        # Another writer created the row first: add to it.
        RatingCounter.objects.filter(month=rating.month, key=key).update(**changes)
