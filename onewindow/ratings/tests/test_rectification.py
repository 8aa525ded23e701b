"""The bad-rating loop: call-back, fix, re-rating, appeal and review, and what the public sees of it."""

from __future__ import annotations

import pytest

from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Rectification, RectificationStatus


@pytest.fixture
def bad(concluded_case, citizen, at):
    at("2026-09-29")
    rating = services.rating_submit(
        case=concluded_case, rater=citizen, channel="qr", level=5, comment="态度差"
    )
    return Rectification.objects.get(rating=rating)


@pytest.mark.django_db
def test_the_loop_call_back_fix_and_re_rate_counts_in_the_rectification_rate(bad, head_a, citizen, at):
    with pytest.raises(DomainError) as refused:
        services.rectification_resolve(
            rectification=bad, actor=head_a, outcome="fixed_at_once", note="已整改"
        )
    assert refused.value.code == "rectification.callback_required"
    services.rectification_callback_record(
        rectification=bad, actor=head_a, reached=True, result="已致歉并核实"
    )
    services.rectification_resolve(
        rectification=bad, actor=head_a, outcome="fixed_at_once", note="窗口人员已培训"
    )
    done = services.rectification_rerate(rectification=bad, rater=citizen, rerate="satisfied")
    assert done.status == RectificationStatus.CLOSED and done.in_time
    report = selectors.report_month(month=bad.rating.month)
    assert (report.overall.bad, report.overall.rectified, report.overall.rectify_rate) == (1, 1, 100.0)


@pytest.mark.django_db
def test_a_window_clerk_can_neither_see_the_rater_nor_call_back(bad, clerk_a):
    with pytest.raises(PermissionDenied):
        services.rater_contact_view(rectification=bad, actor=clerk_a)
    with pytest.raises(PermissionDenied):
        services.rectification_callback_record(rectification=bad, actor=clerk_a, reached=True, result="x")


@pytest.mark.django_db
def test_every_look_up_of_the_rater_is_audited(bad, head_a, citizen):
    contact = services.rater_contact_view(rectification=bad, actor=head_a)
    assert contact.phone == citizen.person.phone
    assert AuditEntry.objects.filter(action="rating.rater_view", actor=head_a).count() == 1


@pytest.mark.django_db
def test_only_the_rater_re_rates(bad, head_a, another_citizen):
    services.rectification_callback_record(rectification=bad, actor=head_a, reached=True, result="已联系")
    services.rectification_resolve(rectification=bad, actor=head_a, outcome="explained", note="政策规定")
    with pytest.raises(PermissionDenied):
        services.rectification_rerate(rectification=bad, rater=another_citizen, rerate="satisfied")


@pytest.mark.django_db
def test_an_upheld_appeal_excludes_the_rating_from_the_figures(bad, head_a, supervisor):
    services.rectification_appeal(rectification=bad, actor=head_a, reason="评价人系误评，已电话确认")
    with pytest.raises(PermissionDenied):
        services.rectification_review(rectification=bad, actor=head_a, upheld=True, reason="x")
    reviewed = services.rectification_review(
        rectification=bad, actor=supervisor, upheld=True, reason="核实为误评"
    )
    assert reviewed.status == RectificationStatus.EXCLUDED
    bad.rating.refresh_from_db()
    assert bad.rating.excluded and bad.rating.excluded_reason == "核实为误评"
    assert selectors.report_month(month=bad.rating.month).overall.total == 0
    assert not selectors.bad_ratings_public(month=bad.rating.month).exists()


@pytest.mark.django_db
def test_the_department_and_supervisor_pages_work(bad, head_a, supervisor, client_as):
    page = client_as(head_a).get("/workbench/ratings/").content.decode()
    assert f"/workbench/ratings/{bad.pk}/" in page
    response = client_as(head_a).post(
        f"/workbench/ratings/{bad.pk}/callback/", {"reached": "yes", "result": "已回访"}
    )
    assert response.status_code == 302
    client_as(head_a).post(f"/workbench/ratings/{bad.pk}/appeal/", {"reason": "恶意差评"})
    assert (
        f"/workbench/ratings/{bad.pk}/"
        in client_as(supervisor).get("/workbench/ratings/supervision/").content.decode()
    )


@pytest.mark.django_db
def test_no_public_page_or_answer_reveals_the_rater(bad, citizen, client, django_assert_max_num_queries):
    person = citizen.person
    secrets = [citizen.name, citizen.username, person.phone, person.id_number, "态度差"]
    month = f"{bad.rating.month:%Y-%m}"
    item = bad.rating.item
    with django_assert_max_num_queries(20):
        report = client.get(f"/ratings/report/?month={month}")
    answers = [
        report,
        client.get(f"/ratings/report/export.csv?month={month}"),
        client.get(f"/api/v1/ratings/report/{month}"),
        client.get(f"/services/items/{item.implementation_code}/"),
        client.get(f"/services/departments/{item.department_id}/"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        body = answer.content.decode("utf-8-sig")
        for secret in secrets:
            assert secret and secret not in body, secret
    assert bad.rating.case.number in report.content.decode()
