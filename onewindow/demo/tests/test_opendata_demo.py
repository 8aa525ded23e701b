"""The open-data and proactive demo: published datasets (one still waiting for its review), the school
enrolment recommendation for 张三 from a birth certificate, and loading again adds nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.demo.data import demo_load
from onewindow.identity.services.people import person_by_identifier
from onewindow.opendata.models import Dataset, ReviewStatus
from onewindow.proactive.models import Recommendation

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_reviewed_datasets_and_keeps_one_waiting(demo):
    assert Dataset.objects.filter(review_status=ReviewStatus.APPROVED).count() == 4
    assert Dataset.objects.filter(review_status=ReviewStatus.NOT_REVIEWED).count() == 1
    client = Client()
    assert client.get("/data/monthly-case-volumes/").status_code == 200
    assert client.get("/data/case-outcomes/").status_code == 404


def test_the_demo_recommends_school_enrolment_and_a_licence_renewal(demo):
    parent = person_by_identifier("13900000002")
    assert parent is not None
    assert Recommendation.objects.filter(user=parent.user, title="孩子即将满 6 周岁：入学报名").count() == 1
    assert Recommendation.objects.filter(kind="licence_expiry").exists()


def test_loading_again_adds_nothing(demo):
    created = demo_load()
    assert (created["datasets"], created["recommendations"]) == (0, 0)
