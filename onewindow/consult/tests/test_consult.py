"""我要问: asked on an item, answered by its department within the deadline, reviewed into the item's FAQ, rated
by the asker. 投诉建议: routed to the department and supervision, concluded with an outcome; anonymous keeps no
identity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from onewindow.catalogue.tests.factories import published_item
from onewindow.consult import services
from onewindow.consult.models import Complaint, ComplaintStatus, FaqStatus, Question
from onewindow.consult.selectors import complaints_for_staff
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(department_a):
    return published_item(department=department_a, name="食品经营许可")


@pytest.fixture
def dept_head(department_a):
    return MembershipFactory(
        user=UserFactory(username="dept_head", is_staff=True), department=department_a, role=Role.HEAD
    ).user


def ask(citizen, item, **fields):
    values = {
        "title": "需要带哪些材料",
        "body": "个体工商户申请需要提交哪些材料原件？",
        "allow_public": True,
    } | fields
    return services.question_ask(asker=citizen, item=item, **values)


def test_a_question_on_an_item_goes_to_its_department_with_a_working_day_deadline(
    at, citizen, item, department_a
):
    at("2026-09-30")
    question = ask(citizen, item)
    assert question.department == department_a
    assert question.due_on == dt.date(2026, 10, 13)  # five working days over National Day


def test_only_the_department_answers_and_the_answer_becomes_faq_after_review(
    at, citizen, item, clerk_a, clerk_b, dept_head, client
):
    question = ask(citizen, item)
    with pytest.raises(DomainError) as refused:
        services.question_answer(question=question, actor=clerk_b, answer="请携带营业执照和身份证原件办理。")
    assert refused.value.status == 403
    question = services.question_answer(
        question=question, actor=clerk_a, answer="请携带营业执照和身份证原件办理。", propose_faq=True
    )
    assert question.faq_status == FaqStatus.PENDING
    page = client.get(f"/services/items/{item.implementation_code}/").content.decode()
    assert "请携带营业执照和身份证原件办理" not in page  # not before review
    with pytest.raises(DomainError):
        services.question_faq_review(question=question, actor=clerk_a, publish=True)
    services.question_faq_review(
        question=question, actor=dept_head, publish=True, faq_question="申请需要哪些材料原件？"
    )
    page = client.get(f"/services/items/{item.implementation_code}/").content.decode()
    assert "申请需要哪些材料原件？" in page and "请携带营业执照和身份证原件办理" in page
    assert citizen.name not in page


def test_a_private_question_is_never_proposed_for_the_faq(at, citizen, item, clerk_a):
    question = ask(citizen, item, allow_public=False)
    question = services.question_answer(
        question=question, actor=clerk_a, answer="请携带营业执照和身份证原件办理。", propose_faq=True
    )
    assert question.faq_status == FaqStatus.PRIVATE


def test_the_asker_rates_the_answer_once(at, citizen, another_citizen, item, clerk_a):
    question = services.question_answer(
        question=ask(citizen, item), actor=clerk_a, answer="请携带营业执照和身份证原件办理。"
    )
    with pytest.raises(DomainError) as refused:
        services.question_rate(question=question, actor=another_citizen, rating=1)
    assert refused.value.status == 403
    assert services.question_rate(question=question, actor=citizen, rating=2).rating == 2
    with pytest.raises(DomainError):
        services.question_rate(question=question, actor=citizen, rating=1)


def test_question_input_is_checked_and_nothing_written(at, citizen, item):
    with pytest.raises(DomainError) as refused:
        ask(citizen, item, body="短")
    assert refused.value.problems[0].field == "body"
    assert not Question.objects.exists()


def test_a_complaint_goes_to_the_department_and_supervision_and_is_concluded(
    at, citizen, department_a, clerk_a, clerk_b, supervisor
):
    at("2026-09-30")
    complaint = services.complaint_submit(
        submitter=citizen,
        kind="complaint",
        department=department_a,
        body="窗口工作人员态度生硬，要求提交指南以外的材料。",
    )
    assert complaint.due_on == dt.date(2026, 10, 27)  # 15 working days: 10-08 … 10-27
    assert list(complaints_for_staff(user=clerk_a)) == [complaint]
    assert list(complaints_for_staff(user=supervisor)) == [complaint]
    assert list(complaints_for_staff(user=clerk_b)) == []
    with pytest.raises(DomainError):
        services.complaint_conclude(
            complaint=complaint, actor=clerk_b, outcome="substantiated", text="已核实并整改到位。"
        )
    complaint = services.complaint_conclude(
        complaint=complaint,
        actor=supervisor,
        outcome="substantiated",
        text="经核实情况属实，已对窗口人员批评教育并整改。",
    )
    assert complaint.status == ComplaintStatus.CONCLUDED


def test_an_anonymous_complaint_stores_no_identity(at, citizen, department_a):
    complaint = services.complaint_submit(
        submitter=citizen,
        kind="suggestion",
        department=department_a,
        anonymous=True,
        body="建议在大厅增加老年人绿色通道。",
        contact="13800001111",
    )
    assert complaint.submitter is None
    entry = AuditEntry.objects.get(action="complaint.submit")
    assert entry.actor_id is None and citizen.name not in entry.actor_label
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM consult_complaint")
        assert "13800001111" not in cursor.fetchone()[0]


def test_a_signed_complaint_needs_a_sign_in(at, department_a):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(DomainError):
        services.complaint_submit(
            submitter=AnonymousUser(), kind="complaint", department=department_a, body="窗口排队时间太长了。"
        )
    assert not Complaint.objects.exists()


def test_an_answer_just_after_midnight_past_the_deadline_is_late(at, citizen, item, clerk_a):
    """Midnight in Beijing is 16:00 the day before in UTC: the day is counted in Beijing."""
    question = ask(citizen, item)
    at((question.due_on + dt.timedelta(days=1)).isoformat(), hour=0)
    services.question_answer(question=question, actor=clerk_a, answer="请携带营业执照和身份证原件办理。")
    entry = AuditEntry.objects.filter(action="question.answer").latest("pk")
    assert entry.changes["on_time"] is False
