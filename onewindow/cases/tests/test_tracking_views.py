"""全程一码 in the portal: case number and query password → the public timeline; wrong or unknown reveal
nothing; attempts are rate limited per address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.factories import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(citizen, clerk_a, item):
    case = case_in_state("submitted", user=citizen, item=item)
    result = services.case_accept(case=case, clerk=clerk_a)
    return result.case, result.query_password


def track(client, number, password):
    return client.post(reverse("cases:track"), {"case_number": number, "password": password})


def test_form_is_public(client):
    response = client.get(reverse("cases:track"))
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_qr_link_prefills_the_number_but_never_a_password(client, accepted):
    case, _password = accepted
    response = client.get(reverse("cases:track_number", args=[case.number]))
    page = response.content.decode()
    assert f'value="{case.number}"' in page
    assert 'name="password" type="password"' in page
    assert "tracking" not in response.context


def test_number_and_password_show_the_timeline(client, accepted):
    case, password = accepted
    response = track(client, case.number, password.lower())
    page = response.content.decode()
    assert response.status_code == 200
    tracking = response.context["tracking"]
    assert [entry.action for entry in tracking.timeline] == ["submitted", "accepted"]
    assert "福州市市场监督管理局" in page and f"{case.due_on:%Y-%m-%d}" in page
    assert "clerk_a" not in page and "张三" not in page
    assert "no-store" in response["Cache-Control"]


def test_wrong_password_and_unknown_number_reveal_nothing(client, accepted):
    case, _password = accepted
    wrong = track(client, case.number, "WRONGPASS")
    unknown = track(client, "X" + case.number[1:], "WRONGPASS")
    assert wrong.status_code == unknown.status_code == 404
    for response in (wrong, unknown):
        page = response.content.decode()
        assert "受理编号或查询密码不正确。" in page
        assert "tracking" not in response.context
        assert case.item.published_version.name not in page


def test_too_many_attempts_get_429_with_the_retry_time(client, accepted, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 60)}
    case, password = accepted
    track(client, case.number, "A")
    track(client, case.number, "B")
    limited = track(client, case.number, password)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert str(limited.context["retry_after"]) in limited.content.decode()
    assert "tracking" not in limited.context
