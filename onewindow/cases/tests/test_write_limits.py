"""Abuse limits on a citizen's writes: the form's size on drafts (API and page), and the per-account write
rate (429 with Retry-After, nothing written)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import case_in_state

pytestmark = pytest.mark.django_db


def test_an_oversized_draft_is_413_and_nothing_is_written(client_as, citizen, item, settings):
    settings.ONEWINDOW_FORM_MAX_BYTES = 4096
    body = {"item": item.implementation_code, "form_data": {"applicant_name": "张三", "junk": "x" * 5000}}

    response = client_as(citizen).post("/api/v1/cases", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "form_too_large"
    assert not Case.objects.exists()


def test_a_draft_field_over_the_default_length_is_refused_on_the_page(client_as, citizen, item, settings):
    settings.ONEWINDOW_FORM_FIELD_MAX_LENGTH = 20
    draft = case_in_state("draft", user=citizen, item=item)

    response = client_as(citizen).post(
        reverse("cases:case", kwargs={"case_id": draft.pk}), {"action": "save", "applicant_name": "张" * 21}
    )

    draft.refresh_from_db()
    assert draft.form_data.get("applicant_name") != "张" * 21
    assert response.status_code in {200, 400}
    assert "最多填写 20 个字符" in response.content.decode()


def test_writes_past_the_account_rate_are_429_with_retry_after(client_as, citizen, item, settings):
    settings.ONEWINDOW_RATE_LIMITS = settings.ONEWINDOW_RATE_LIMITS | {"account_write": (2, 60)}
    client = client_as(citizen)
    body = {"item": item.implementation_code}
    for _ in range(2):
        assert client.post("/api/v1/cases", body, content_type="application/json").status_code == 201

    refused = client.post("/api/v1/cases", body, content_type="application/json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 61
    assert Case.objects.count() == 2


def test_the_account_rate_is_per_account(client_as, citizen, another_citizen, item, settings):
    settings.ONEWINDOW_RATE_LIMITS = settings.ONEWINDOW_RATE_LIMITS | {"account_write": (1, 60)}
    body = {"item": item.implementation_code}
    client_as(citizen).post("/api/v1/cases", body, content_type="application/json")

    response = client_as(another_citizen).post("/api/v1/cases", body, content_type="application/json")

    assert response.status_code == 201


def test_a_page_write_past_the_rate_is_the_chinese_429_page(client_as, citizen, item, settings):
    settings.ONEWINDOW_RATE_LIMITS = settings.ONEWINDOW_RATE_LIMITS | {"account_write": (0, 60)}
    draft = case_in_state("draft", user=citizen, item=item)

    response = client_as(citizen).post(
        reverse("cases:case", kwargs={"case_id": draft.pk}), {"action": "save", "applicant_name": "张三丰"}
    )

    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode() and response["Retry-After"]
