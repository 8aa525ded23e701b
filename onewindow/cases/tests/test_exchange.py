"""The national exchange export: a concluded and delivered case with a special procedure and an extension,
written as one JSON line in the GB/T 39046 data items, to an owner-only file, audited."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from onewindow.cases import services
from onewindow.cases.tests.factories import (
    FORM,
    case_extend_approved,
    case_in_state,
    case_materials_attach,
    company_of,
)
from onewindow.core.models import AuditEntry
from onewindow.identity.models import Person
from tests.factories import valid_citizen_id, valid_credit_code


@pytest.fixture
def concluded(at, citizen, item, clerk_a, reviewer_a, approver_a, head_a):
    """Received 2026-09-29, accepted, inspected 09-30 … 10-09, extended, approved and posted on 10-20."""
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    at("2026-09-30")
    services.case_suspend(
        case=case,
        actor=reviewer_a,
        kind="inspection",
        reason="现场核查经营场所",
        basis="《行政许可法》第四十五条",
        expected_working_days=5,
    )
    at("2026-10-09")
    services.case_resume(case=case, actor=reviewer_a)
    case_extend_approved(
        case,
        requester=approver_a,
        head=head_a,
        working_days=5,
        reason="需补充专家意见",
        basis="《行政许可法》第四十二条",
    )
    at("2026-10-20")
    services.case_conclude(case=case, actor=approver_a, code=0, result="食品经营许可证 JY13501000000001")
    services.case_deliver(
        case=case,
        actor=clerk_a,
        method="post",
        address="福州市鼓楼区某路 1 号",
        tracking_number="SF1234567890",
    )
    case.refresh_from_db()
    return case


def export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("exchange", "export", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_export_writes_the_whole_record_of_a_concluded_case(concluded, item, department_a):
    [record] = export("--since", "2026-09-01")

    assert record["standard"] == "GB/T 39046-2020"
    assert record["case_number"] == concluded.number
    application = record["application"]
    assert application["implementation_code"] == item.implementation_code
    assert application["applicant_type"] == 1
    assert application["applicant_name"] == "张三"
    assert application["applicant_id_number"] == valid_citizen_id(1)  # in full: the exchange requires it
    assert application["handling_form"] == 2
    assert application["received_at"] == "20260929100000"
    assert application["department_credit_code"] == department_a.credit_code
    acceptance = record["acceptance"]
    assert acceptance["accepted"] == 1 and acceptance["accepted_by_default"] == 0
    assert acceptance["promised_due_on"] == concluded.due_on.strftime("%Y%m%d")
    assert [step["action"] for step in record["process"]] == [
        "started",
        "submitted",
        "accepted",
        "suspended",
        "resumed",
        "extension_requested",
        "extended",
        "concluded",
        "delivered",
    ]
    assert [step["sequence"] for step in record["process"]][:2] == [1, 2]
    assert [(p["kind_code"], p["kind"]) for p in record["special_procedures"]] == [
        (2, "inspection"),
        (1, "extension"),
    ]
    assert record["special_procedures"][0]["started_on"] == "20260930"
    assert record["conclusion"]["result_code"] == 0
    assert record["conclusion"]["concluded_at"] == "20261020100000"
    assert record["conclusion"]["within_time_limit"] == 1
    assert record["delivery"] == {
        "method": "post",
        "delivered_at": "20261020100000",
        "address": "福州市鼓楼区某路 1 号",
        "tracking_number": "SF1234567890",
    }


def test_a_company_case_names_the_company_and_its_agent(at, citizen, item):
    company = company_of(citizen.person)
    Person.objects.filter(pk=citizen.person.pk).update(acting_for=company)  # acts for the company
    case = services.case_start(user=citizen, item=item, company=company, form_data=FORM)
    case_materials_attach(case, citizen)
    services.case_submit(case=case, actor=citizen)

    [record] = export("--since", "2026-09-29")

    assert record["application"]["applicant_type"] == 2
    assert record["application"]["applicant_id_number"] == valid_credit_code(901)
    assert record["application"]["contact_id_number"] == valid_citizen_id(1)
    assert record["acceptance"] is None and record["conclusion"] is None


def test_drafts_and_cases_outside_the_period_are_left_out(at, concluded, citizen, item):
    case_in_state("draft", user=citizen, item=item)

    assert export("--since", "2026-10-21") == []
    assert len(export("--since", "2026-09-01", "--until", "2026-09-29")) == 1
    assert export("--since", "2026-09-01", "--until", "2026-09-28") == []


def test_the_file_is_owner_only_and_the_export_is_audited(concluded, tmp_path):
    target = tmp_path / "cases.jsonl"
    target.write_text("old")
    target.chmod(0o644)

    call_command("exchange", "export", "--since", "2026-09-01", "--output", str(target), stderr=io.StringIO())

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["case_number"] == concluded.number
    entry = AuditEntry.objects.filter(action="cases.exchange_export").get()
    assert entry.changes["cases"] == 1
    assert entry.changes["output"] == str(target)


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("exchange", "export", "--since", "2026-13-01")
