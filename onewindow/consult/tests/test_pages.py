"""Pages of 我要问 and 投诉建议, with the permission matrix."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.catalogue.tests.factories import published_item
from onewindow.consult.models import Complaint, Question

pytestmark = pytest.mark.django_db


def test_ask_answer_and_rate_through_the_pages(
    at, citizen, another_citizen, client_as, department_a, clerk_a, clerk_b
):
    item = published_item(department=department_a, name="食品经营许可")
    guide = Client().get(f"/services/items/{item.implementation_code}/").content.decode()
    assert f"/consult/ask/?item={item.pk}" in guide
    web = client_as(citizen)
    assert web.get(f"/consult/ask/?item={item.pk}").status_code == 200
    web.post(
        f"/consult/ask/?item={item.pk}",
        {"title": "需要带哪些材料", "body": "个体户申请需要哪些材料原件？", "allow_public": "on"},
    )
    question = Question.objects.get()
    assert question.department == department_a
    assert client_as(another_citizen).get(f"/consult/questions/{question.pk}/").status_code == 404
    assert client_as(clerk_b).get(f"/workbench/consult/questions/{question.pk}/").status_code == 403
    staff = client_as(clerk_a)
    assert "需要带哪些材料" in staff.get("/workbench/consult/").content.decode()
    staff.post(
        f"/workbench/consult/questions/{question.pk}/answer/", {"answer": "请携带营业执照和身份证原件办理。"}
    )
    web.post(f"/consult/questions/{question.pk}/rate/", {"rating": "1"})
    assert Question.objects.get().rating == 1


def test_anonymous_complaint_through_the_page(at, department_a, clerk_a, client_as):
    page = Client().post(
        "/consult/complain/",
        {
            "kind": "complaint",
            "department": str(department_a.pk),
            "anonymous": "on",
            "body": "窗口人员要求提供指南以外的材料。",
            "contact": "13800001111",
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.reference in page.content.decode() and complaint.submitter is None
    refused = Client().post(
        "/consult/complain/",
        {"kind": "complaint", "department": str(department_a.pk), "body": "需要登录才能实名投诉的内容。"},
    )
    assert refused.status_code == 200 and Complaint.objects.count() == 1
    staff = client_as(clerk_a)
    assert "13800001111" in staff.get(f"/workbench/consult/complaints/{complaint.pk}/").content.decode()
    staff.post(
        f"/workbench/consult/complaints/{complaint.pk}/conclude/",
        {"outcome": "substantiated", "text": "已核实，对窗口人员批评教育。"},
    )
    assert Complaint.objects.get().status == "concluded"
