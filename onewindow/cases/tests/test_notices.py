"""The dated notices: valid PDFs built from HTML carrying the case number, the masked ID number (never the
full one), every correction problem, and the QR code to the tracking page."""

from __future__ import annotations

import pytest
from django.conf import settings

from onewindow.cases import services
from onewindow.cases.notices import notice_html, notice_kinds_available, notice_pdf, tracking_url
from onewindow.cases.tests.factories import case_in_state, material_of
from onewindow.core.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(at, citizen, item):
    return case_in_state("submitted", user=citizen, item=item)


def test_the_acceptance_notice_is_a_pdf_with_the_number_and_masked_id(submitted, clerk_a):
    case = services.case_accept(case=submitted, clerk=clerk_a).case
    pdf = notice_pdf(case, "acceptance")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    html = notice_html(case, "acceptance")
    assert case.number in html and case.department.name in html
    assert case.applicant.id_number_masked in html and case.applicant.id_number not in html
    assert str(case.due_on.year) in html


def test_the_acceptance_notice_carries_a_qr_code_to_the_tracking_page(submitted, clerk_a):
    case = services.case_accept(case=submitted, clerk=clerk_a).case
    html = notice_html(case, "acceptance")
    assert tracking_url(case) == f"{settings.ONEWINDOW_PUBLIC_BASE_URL}/track/{case.number}/"
    assert "<svg" in html and tracking_url(case) in html


def test_the_refusal_notice_gives_the_reason(submitted, clerk_a):
    case = services.case_refuse(case=submitted, clerk=clerk_a, reason="不属于本部门职权范围")
    assert notice_pdf(case, "refusal").startswith(b"%PDF-")
    assert "不属于本部门职权范围" in notice_html(case, "refusal")


def test_the_correction_notice_lists_every_problem_and_the_deadline(submitted, clerk_a, item):
    notice = services.case_correction_request(
        case=submitted,
        clerk=clerk_a,
        problems=[
            (material_of(item, "id-card"), "复印件不清晰"),
            (material_of(item, "application-form"), "缺少签名"),
        ],
    )
    assert notice_pdf(submitted, "correction").startswith(b"%PDF-")
    html = notice_html(submitted, "correction")
    assert "复印件不清晰" in html and "缺少签名" in html and notice.notice_number in html
    assert notice.deadline_on.strftime("%Y年%-m月%-d日") in html


def test_a_notice_the_case_does_not_have_is_not_found(submitted):
    assert notice_kinds_available(submitted) == []
    for kind in ("acceptance", "refusal", "correction", "anything"):
        with pytest.raises(NotFound):
            notice_pdf(submitted, kind)


def test_every_notice_carries_a_qr_code(at, citizen, item, clerk_a):
    refused = services.case_refuse(
        case=case_in_state("submitted", user=citizen, item=item), clerk=clerk_a, reason="不属于本部门受理范围"
    )
    html = notice_html(refused, "refusal")
    assert "<svg" in html and f"/cases/{refused.pk}/" in html
