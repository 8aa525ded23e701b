"""Citizen case pages: applying (with the step-up panel), the draft page (save, resume, materials, submit with
every problem listed), correction and resubmission, withdrawal, the query password, 我的办件 and messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseMessage, CaseStatus, IdempotencyKey
from onewindow.cases.tests.factories import (
    agency,
    case_in_state,
    company_of,
    material_of,
    upload,
)
from onewindow.identity.models import AgencyScope
from tests.factories import person

pytestmark = pytest.mark.django_db


def case_url(case, name="cases:case", **kwargs):
    return reverse(name, kwargs={"case_id": case.pk, **kwargs})


@pytest.fixture
def draft(citizen, item):
    return case_in_state("draft", user=citizen, item=item)


@pytest.fixture
def submitted(citizen, item):
    return case_in_state("submitted", user=citizen, item=item)


# --- who may see what ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cases:mine", "cases:messages"])
def test_anonymous_is_sent_to_sign_in_for_my_cases(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_anonymous_is_sent_to_sign_in_for_apply_and_case_pages(client, draft, item):
    for url in (reverse("cases:apply", args=[item.implementation_code]), case_url(draft)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("identity:login"))


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "cases:case"),
        ("post", "cases:case"),
        ("post", "cases:material_upload"),
        ("post", "cases:withdraw"),
        ("post", "cases:resubmit"),
    ],
)
def test_another_citizens_case_is_404(client_as, another_citizen, draft, method, name):
    response = getattr(client_as(another_citizen), method)(case_url(draft, name))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT


def test_another_citizen_cannot_remove_a_material(client_as, citizen, another_citizen, draft):
    row = services.case_material_attach(
        case=draft, user=citizen, material=material_of(draft.item, "id-card"), upload=upload()
    )
    response = client_as(another_citizen).post(case_url(draft, "cases:material_remove", material_id=row.pk))
    assert response.status_code == 404
    assert draft.materials.count() == 1


# --- applying -----------------------------------------------------------------------------------------


def test_apply_page_offers_to_start(client_as, citizen, item):
    response = client_as(citizen).get(reverse("cases:apply", args=[item.implementation_code]))
    assert response.status_code == 200
    assert b'name="idempotency_key"' in response.content
    assert "户口簿" in response.content.decode()  # listed among what the platform obtains


def test_apply_creates_a_draft_once_for_a_double_click(client_as, citizen, item):
    client = client_as(citizen)
    url = reverse("cases:apply", args=[item.implementation_code])
    first = client.post(url, {"idempotency_key": "k-1"})
    second = client.post(url, {"idempotency_key": "k-1"})
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == case_url(case)
    assert case.status == CaseStatus.DRAFT and case.company is None


def test_apply_below_the_level_shows_the_step_up_panel_not_a_dead_end(client_as, item):
    low = person(7, level=1, name="王五").user
    url = reverse("cases:apply", args=[item.implementation_code])
    page = client_as(low).get(url).content.decode()
    assert f"{reverse('identity:verify')}?next={url}&amp;level=2" in page
    assert "Start the application" not in page
    refused = client_as(low).post(url, {"idempotency_key": "k"})
    assert refused.status_code == 403
    assert reverse("identity:verify") in refused.content.decode()
    assert not Case.objects.exists()


def test_an_agent_applies_for_the_company_acted_for(client_as, citizen, another_citizen, item):
    company = company_of(another_citizen.person)
    agency(company, citizen.person, scopes=[AgencyScope.APPLY, AgencyScope.TRACK])
    client_as(citizen).post(reverse("cases:apply", args=[item.implementation_code]), {"idempotency_key": "k"})
    case = Case.objects.get()
    assert case.company == company and case.applicant == citizen.person


# --- the draft -------------------------------------------------------------------------------------------


def test_draft_is_prefilled_from_the_profile(client_as, citizen, item):
    case = services.case_start(user=citizen, item=item)
    page = client_as(citizen).get(case_url(case)).content.decode()
    assert 'name="applicant_name" value="张三"' in page


def test_draft_saves_and_resumes(client_as, citizen, draft):
    client = client_as(citizen)
    response = client.post(case_url(draft), {"action": "save", "applicant_name": "张三丰"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data == {"applicant_name": "张三丰"} and draft.status == CaseStatus.DRAFT
    assert 'value="张三丰"' in client.get(case_url(draft)).content.decode()


def test_material_from_shared_data_has_no_upload(client_as, citizen, draft):
    page = client_as(citizen).get(case_url(draft)).content.decode()
    assert 'id="file-id-card"' in page
    assert 'id="file-household-register"' not in page
    assert "No need to submit: the platform obtains it" in page or "免提交" in page


def test_upload_then_remove(client_as, citizen, draft):
    client = client_as(citizen)
    response = client.post(
        case_url(draft, "cases:material_upload"), {"material": "id-card", "file": upload("身份证.pdf")}
    )
    assert response.status_code == 302
    row = draft.materials.get()
    page = client.get(case_url(draft)).content.decode()
    assert case_url(draft, "cases:material_file", material_id=row.pk) in page
    assert "身份证.pdf" in page
    client.post(case_url(draft, "cases:material_remove", material_id=row.pk))
    assert not draft.materials.exists()


def test_upload_without_a_file_is_explained(client_as, citizen, draft):
    response = client_as(citizen).post(case_url(draft, "cases:material_upload"), {"material": "id-card"})
    assert response.status_code == 400
    assert "请先选择要上传的文件" in response.content.decode()


def test_submit_with_problems_lists_every_one_and_writes_nothing(client_as, citizen, draft):
    before = dict(draft.form_data)
    response = client_as(citizen).post(
        case_url(draft), {"action": "submit", "applicant_name": "", "idempotency_key": "s-1"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写申请人姓名。" in page
    assert "请上传“居民身份证”。" in page and "请上传“申请表”。" in page
    assert "申请还有 3 处需要补充或修改" in page
    assert 'href="#f-applicant_name"' in page and 'href="#m-id-card"' in page
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT and draft.form_data == before
    assert not IdempotencyKey.objects.exists()


def test_submit_complete_application_and_retry_is_idempotent(client_as, citizen, draft):
    client = client_as(citizen)
    for key in ("id-card", "application-form"):
        client.post(case_url(draft, "cases:material_upload"), {"material": key, "file": upload(f"{key}.pdf")})
    post = {"action": "submit", "applicant_name": "张三", "idempotency_key": "s-2"}
    assert client.post(case_url(draft), post).status_code == 302
    assert client.post(case_url(draft), post).status_code == 302
    draft.refresh_from_db()
    assert draft.status == CaseStatus.SUBMITTED
    assert draft.events.filter(action="submitted").count() == 1
    page = client.get(case_url(draft)).content.decode()
    assert 'name="action" value="submit"' not in page  # read-only now
    assert "福州市市场监督管理局" in page


# --- after submission ----------------------------------------------------------------------------------


def test_correction_notice_lists_problems_and_allows_reupload_of_those_only(
    client_as, citizen, clerk_a, submitted
):
    services.case_correction_request(
        case=submitted, clerk=clerk_a, problems=[(material_of(submitted.item, "id-card"), "复印件模糊")]
    )
    client = client_as(citizen)
    page = client.get(case_url(submitted)).content.decode()
    assert "复印件模糊" in page
    assert 'id="file-id-card"' in page and 'id="file-application-form"' not in page
    refused = client.post(case_url(submitted, "cases:resubmit"))
    assert refused.status_code == 400 and "请上传“居民身份证”。" in refused.content.decode()
    client.post(
        case_url(submitted, "cases:material_upload"), {"material": "id-card", "file": upload("new.pdf")}
    )
    assert client.post(case_url(submitted, "cases:resubmit")).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


def test_withdraw_a_submitted_application_needs_a_reason(client_as, citizen, submitted):
    client = client_as(citizen)
    refused = client.post(case_url(submitted, "cases:withdraw"), {"reason": ""})
    assert refused.status_code == 400 and "请填写撤回申请的原因" in refused.content.decode()
    assert client.post(case_url(submitted, "cases:withdraw"), {"reason": "不再需要"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.WITHDRAWN


def test_accepted_case_shows_number_due_date_and_timeline(client_as, citizen, clerk_a, item):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    page = client_as(citizen).get(case_url(case)).content.decode()
    assert case.number in page
    assert f"{case.due_on:%Y-%m-%d}" in page
    assert "clerk_a" not in page  # the department acts, never a named clerk


def test_new_query_password_is_shown_once_and_works(client_as, citizen, clerk_a, item, client):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    response = client_as(citizen).post(case_url(case, "cases:password_reissue"))
    password = response.context["password"]
    assert response.status_code == 200 and password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    tracked = client.post(reverse("cases:track"), {"case_number": case.number, "password": password})
    assert tracked.status_code == 200 and tracked.context["tracking"].number == case.number


# --- 我的办件 and messages ---------------------------------------------------------------------------------


def test_my_cases_lists_only_mine_with_unread_counts(client_as, citizen, another_citizen, item, draft):
    other = case_in_state("draft", user=another_citizen, item=item)
    CaseMessage.objects.create(case=draft, recipient=citizen, event="submitted", text="您有一条新消息")
    response = client_as(citizen).get(reverse("cases:mine"))
    rows = list(response.context["page_obj"].object_list)
    assert rows == [draft] and rows[0].unread == 1
    assert other not in rows
    assert response.context["unread_count"] == 1


def test_my_cases_filters_by_status(client_as, citizen, item, draft, submitted):
    response = client_as(citizen).get(reverse("cases:mine"), {"status": "submitted"})
    assert list(response.context["page_obj"].object_list) == [submitted]


def test_my_cases_query_count_does_not_grow_with_cases(
    client_as, citizen, item, django_assert_max_num_queries
):
    client = client_as(citizen)
    for _ in range(3):
        case_in_state("draft", user=citizen, item=item)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("cases:mine"))
    for _ in range(12):
        case = case_in_state("draft", user=citizen, item=item)
        CaseMessage.objects.create(case=case, recipient=citizen, event="submitted", text="消息")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:mine"))
    assert len(response.context["page_obj"].object_list) == 15


def test_messages_page_marks_them_read(client_as, citizen, draft):
    CaseMessage.objects.create(case=draft, recipient=citizen, event="submitted", text="已收件")
    client = client_as(citizen)
    assert "已收件" in client.get(reverse("cases:messages")).content.decode()
    assert not CaseMessage.objects.filter(read_at=None).exists()


def test_case_page_marks_its_messages_read(client_as, citizen, draft, item):
    elsewhere = case_in_state("draft", user=citizen, item=item)
    CaseMessage.objects.create(case=draft, recipient=citizen, event="submitted", text="这一条")
    CaseMessage.objects.create(case=elsewhere, recipient=citizen, event="submitted", text="另一条")
    assert "这一条" in client_as(citizen).get(case_url(draft)).content.decode()
    assert list(CaseMessage.objects.filter(read_at=None).values_list("text", flat=True)) == ["另一条"]
