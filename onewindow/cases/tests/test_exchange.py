"""The national exchange export: a concluded and delivered case with a special procedure and an extension,
written as one JSON line in the GB/T 39046 data items under the national field names and code values,
valid against the committed schema (docs/exchange/case-record.schema.json), to an owner-only file, audited."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
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


SCHEMA = json.loads(
    (Path(settings.BASE_DIR).parent / "docs" / "exchange" / "case-record.schema.json").read_text(
        encoding="utf-8"
    )
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def export(*args: str) -> list[dict]:
    """The exported records, each checked against the committed schema."""
    out = io.StringIO()
    call_command("exchange", "export", *args, stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    for record in records:
        VALIDATOR.validate(record)
    return records


def test_export_writes_the_whole_record_of_a_concluded_case(concluded, item, department_a):
    [record] = export("--since", "2026-09-01")

    assert record["STANDARD"] == "GB/T 39046-2020"
    assert record["PROJID"] == concluded.number and record["STATE"] == "delivered"
    application = record["INF_APPLY"]
    assert application["SERVICECODE"] == item.implementation_code
    assert application["APPLYERTYPE"] == 1
    assert application["APPLYERNAME"] == "张三"
    assert (application["APPLYERPAGETYPE"], application["APPLYERPAGETYPENAME"]) == ("111", "居民身份证")
    assert application["APPLYERPAGECODE"] == valid_citizen_id(1)  # in full: the exchange requires it
    assert application["APPLYFROM"] == 2
    assert application["RECEIVETIME"] == "20260929100000"
    assert application["DEPTCODE"] == department_a.credit_code
    acceptance = record["INF_ACCEPT"]
    assert acceptance["ACCEPTRESULT"] == 1 and acceptance["ACCEPTDEFAULT"] == 0
    assert acceptance["PROMISEENDDATE"] == concluded.due_on.strftime("%Y%m%d")
    assert [step["NODECODE"] for step in record["INF_PROCESS"]] == [
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
    assert [step["NODESEQ"] for step in record["INF_PROCESS"]][:2] == [1, 2]
    assert [(p["SPECIALTYPE"], p["SPECIALKIND"]) for p in record["INF_SPECIAL"]] == [
        (2, "inspection"),
        (1, "extension"),
    ]
    assert record["INF_SPECIAL"][0]["SPECIALSTARTDATE"] == "20260930"
    assert record["INF_RESULT"]["RESULTCODE"] == 0
    assert record["INF_RESULT"]["TRANSACTTIME"] == "20261020100000"
    assert record["INF_RESULT"]["ISINTIME"] == 1
    assert record["INF_DELIVERY"] == {
        "DELIVERYTYPE": "2",
        "DELIVERYTYPENAME": "邮寄送达",
        "DELIVERYTIME": "20261020100000",
        "DELIVERYADDRESS": "福州市鼓楼区某路 1 号",
        "EXPRESSNO": "SF1234567890",
    }


def test_the_form_answers_are_not_exported(concluded):
    [record] = export("--since", "2026-09-01")
    assert "form" not in json.dumps(record).lower()


def test_the_schema_refuses_a_record_with_a_wrong_code(concluded):
    [record] = export("--since", "2026-09-01")
    record["INF_APPLY"]["APPLYERPAGETYPE"] = "citizen_id"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(record)


def test_a_company_case_names_the_company_and_its_agent(at, citizen, item):
    company = company_of(citizen.person)
    Person.objects.filter(pk=citizen.person.pk).update(acting_for=company)  # acts for the company
    case = services.case_start(user=citizen, item=item, company=company, form_data=FORM)
    case_materials_attach(case, citizen)
    services.case_submit(case=case, actor=citizen)

    [record] = export("--since", "2026-09-29")

    application = record["INF_APPLY"]
    assert (application["APPLYERTYPE"], application["APPLYERPAGETYPE"]) == (2, "001")
    assert application["APPLYERPAGECODE"] == valid_credit_code(901)
    assert (application["CONTACTMANPAGETYPE"], application["CONTACTMANPAGECODE"]) == (
        "111",
        valid_citizen_id(1),
    )
    assert record["INF_ACCEPT"] is None and record["INF_RESULT"] is None


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
    assert json.loads(target.read_text(encoding="utf-8"))["PROJID"] == concluded.number
    entry = AuditEntry.objects.filter(action="cases.exchange_export").get()
    assert entry.changes["cases"] == 1
    assert entry.changes["output"] == str(target)


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("exchange", "export", "--since", "2026-13-01")


def test_a_refused_case_is_exported_with_acceptance_result_0(at, citizen, item, clerk_a):
    case = case_in_state("submitted", user=citizen, item=item)
    services.case_refuse(case=case, clerk=clerk_a, reason="不属于本部门职权范围（《行政许可法》第三十二条）")

    [record] = export("--since", "2026-09-29")

    assert record["STATE"] == "not_accepted" and record["STATENAME"] == "不予受理"
    assert record["INF_ACCEPT"]["ACCEPTRESULT"] == 0
    assert record["INF_ACCEPT"]["NOTACCEPTREASON"].startswith("不属于本部门职权范围")
