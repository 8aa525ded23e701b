"""Rating a case's handling and a window visit: voluntary, by the applicant only, once per handling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Rating, RatingCounter, Rectification, RectificationStatus


@pytest.mark.django_db
def test_a_very_dissatisfied_rating_opens_a_rectification_due_in_five_working_days(
    concluded_case, citizen, at
):
    at("2026-09-29")
    rating = services.rating_submit(
        case=concluded_case, rater=citizen, channel="qr", level=5, comment="等太久"
    )
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.department == concluded_case.department
    # 2026-09-29 + 5 working days skips the National Day holidays (10-01 … 10-08).
    assert rectification.due_on > dt.date(2026, 10, 8)
    assert RatingCounter.objects.get(month=dt.date(2026, 9, 1)).ratings == 1


@pytest.mark.django_db
def test_a_refused_application_can_be_rated(refused_case, citizen):
    rating = services.rating_submit(case=refused_case, rater=citizen, channel="web", level=2)
    assert rating.handled_at is not None and not rating.is_bad


@pytest.mark.django_db
def test_a_staff_account_cannot_rate_for_the_applicant(concluded_case, clerk_a, client_as):
    with pytest.raises(PermissionDenied):
        services.rating_submit(case=concluded_case, rater=clerk_a, channel="web", level=1)
    response = client_as(clerk_a).post(f"/rate/case/{concluded_case.pk}/", {"level": "1"})
    assert response.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_a_handling_is_rated_once(concluded_case, citizen):
    services.rating_submit(case=concluded_case, rater=citizen, channel="web", level=1)
    with pytest.raises(DomainError) as refused:
        services.rating_submit(case=concluded_case, rater=citizen, channel="web", level=5)
    assert refused.value.code == "rating.already_rated"
    assert Rating.objects.count() == 1


@pytest.mark.django_db
def test_a_case_still_in_process_cannot_be_rated(citizen, item, clerk_a, at):
    from onewindow.cases.tests.factories import case_in_state

    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    with pytest.raises(DomainError) as refused:
        services.rating_submit(case=case, rater=citizen, channel="web", level=1)
    assert refused.value.code == "rating.not_ended"


@pytest.mark.django_db
def test_bad_input_is_refused_with_every_problem_and_nothing_written(concluded_case, citizen):
    with pytest.raises(DomainError) as refused:
        services.rating_submit(
            case=concluded_case,
            rater=citizen,
            channel="web",
            level=9,
            indicators={"attitude": 1},
            comment="x" * 501,
        )
    assert {p.field for p in refused.value.problems} == {"level", "attitude", "comment"}
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_the_page_offers_no_preselected_level_and_a_way_out(concluded_case, citizen, client_as):
    page = client_as(citizen).get(f"/rate/case/{concluded_case.pk}/?via=qr").content.decode()
    assert "checked" not in page.split('name="level"')[1].split(">")[0]
    assert "暂不评价" in page


@pytest.mark.django_db
def test_the_citizen_rates_from_the_page_with_the_qr_channel(concluded_case, citizen, client_as):
    response = client_as(citizen).post(
        f"/rate/case/{concluded_case.pk}/?via=qr",
        {"level": "5", "indicator_efficiency": "5", "comment": "慢"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.indicators) == ("qr", 5, {"efficiency": 5})


@pytest.mark.django_db
def test_a_window_visit_is_rated_without_a_case_but_not_by_staff(centre, clerk_a, client):
    response = client.post(
        f"/rate/window/{centre.pk}/A03/?via=tablet", {"level": "4", "indicator_attitude": "4"}
    )
    assert response.status_code == 200
    rating = Rating.objects.get()
    assert (rating.window_code, rating.channel, rating.rater) == ("A03", "tablet", None)
    assert Rectification.objects.filter(rating=rating).exists()
    client.force_login(clerk_a)
    assert client.post(f"/rate/window/{centre.pk}/A03/?via=tablet", {"level": "1"}).status_code == 403


@pytest.mark.django_db
def test_an_sms_reply_rates_the_senders_latest_ended_case(concluded_case, citizen, client):
    phone = citizen.person.phone
    response = client.post(
        "/api/v1/ratings/inbound/sms",
        {"phone": phone, "text": "4 材料要求不清楚"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    rating = Rating.objects.get()
    assert (rating.case_id, rating.channel, rating.level, rating.comment) == (
        concluded_case.pk,
        "sms",
        4,
        "材料要求不清楚",
    )


@pytest.mark.django_db
def test_a_signed_gateway_refuses_an_unsigned_message(settings, concluded_case, citizen, client):
    from onewindow.core.plugins import plugins_reset

    settings.ONEWINDOW_PLUGINS = {
        **settings.ONEWINDOW_PLUGINS,
        "ratings_inbound": {
            "class": "onewindow.ratings.inbound.SignedInboundGateway",
            "options": {"secret": "s"},
        },
    }
    plugins_reset()
    try:
        response = client.post(
            "/api/v1/ratings/inbound/sms",
            {"phone": citizen.person.phone, "text": "1"},
            content_type="application/json",
        )
    finally:
        plugins_reset()
    assert response.status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_the_api_rates_once_and_refuses_staff(concluded_case, citizen, clerk_a, client_as):
    url = f"/api/v1/cases/{concluded_case.pk}/rating"
    assert client_as(clerk_a).post(url, {"level": 1}, content_type="application/json").status_code == 404
    response = client_as(citizen).post(
        url, {"level": 5, "channel": "mobile"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["bad"] is True
    again = client_as(citizen).post(url, {"level": 1}, content_type="application/json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_the_item_and_department_pages_show_the_positive_rate(concluded_case, citizen, client):
    services.rating_submit(case=concluded_case, rater=citizen, channel="web", level=1)
    item = concluded_case.item
    assert "100.0%" in client.get(f"/services/items/{item.implementation_code}/").content.decode()
    assert "100.0%" in client.get(f"/services/departments/{item.department_id}/").content.decode()
    summary = selectors.public_summary(item=item)
    assert summary == {"count": 1, "good_rate": 100.0, "bad": 0, "rectify_rate": None}


@pytest.mark.django_db
def test_the_notices_carry_the_rating_qr(refused_case):
    from onewindow.cases.notices import _notice_context, notice_html

    assert _notice_context(refused_case, "refusal")["rating_url"].endswith(
        f"/rate/case/{refused_case.pk}/?via=qr"
    )
    assert "notice-rate" in notice_html(refused_case, "refusal")


@pytest.mark.django_db
def test_overdue_rectifications_escalate_once_and_tell_the_supervisors(
    concluded_case, citizen, supervisor, at
):
    supervisor.email = "sup@example.org"
    supervisor.save()
    at("2026-09-29")
    rating = services.rating_submit(case=concluded_case, rater=citizen, channel="web", level=4)
    at("2026-12-01")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.rectifications_escalate() == 1
    assert services.rectifications_escalate() == 0
    rectification = Rectification.objects.get(rating=rating)
    assert rectification.escalated_at is not None and rectification.status == RectificationStatus.OPEN
    assert AuditEntry.objects.filter(action="rectification.escalate").count() == 1
    assert [m.to for m in mail.outbox] == [["sup@example.org"]]
