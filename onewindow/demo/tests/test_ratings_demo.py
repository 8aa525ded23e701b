"""The demo's 好差评: a few hundred window ratings through the services, bad ones worked through the loop."""

from __future__ import annotations

import pytest

from onewindow.demo.ratings import ratings_demo_load
from onewindow.ratings import selectors
from onewindow.ratings.models import Rating, Rectification, RectificationStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_ratings_on_every_window_channel_and_worked_bad_ones(demo):
    ratings = Rating.objects.filter(centre__name="福州市民服务中心")
    assert ratings.count() == 300
    assert set(ratings.values_list("channel", flat=True)) == {"tablet", "qr", "kiosk"}
    assert set(ratings.values_list("level", flat=True)) == {1, 2, 3, 4, 5}
    worked = Rectification.objects.filter(status=RectificationStatus.RESOLVED)
    assert worked.exists() and all(r.callbacks.exists() for r in worked)
    month = ratings.order_by("-rated_at").first().month
    assert selectors.report_month(month=month).overall.total > 0


def test_loading_the_demo_ratings_again_creates_nothing(demo):
    assert ratings_demo_load() == {"ratings": 0, "rectifications_worked": 0}
