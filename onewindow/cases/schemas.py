"""The cases API's request and response bodies. Every text has a length limit and every number a range, so
no input can reach the services in a shape they were not written for."""

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from onewindow.cases.models import CaseStatus

VERSION_FIELD = Field(
    None,
    ge=1,
    le=2_000_000_000,
    description="the case's `version` as last read; a different current version is refused with 409 "
    "`case_state_conflict` instead of overwriting a change the caller has not seen",
)


class CodeLabel(Schema):
    code: str
    label: str


class ItemRef(Schema):
    implementation_code: str
    name: str = Field(description="the item's name in the guide version the case was filed under")
    guide_version: int


class DepartmentRef(Schema):
    id: uuid.UUID
    name: str


class CaseSummaryOut(Schema):
    id: uuid.UUID
    number: str | None = Field(description="case number (受理编号), assigned on acceptance")
    status: CodeLabel
    version: int = Field(description="grows on every change: send it back as `expected_version`")
    item: ItemRef
    department: DepartmentRef
    applicant_name: str
    company_name: str | None
    walk_in: bool
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_on: dt.date | None = Field(description="promised conclusion date (working days, pauses counted)")


class CaseMaterialOut(Schema):
    id: uuid.UUID
    material_id: uuid.UUID
    material: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    trust_level: str = Field(
        description="A shared data / e-licence, B checked at a window, C uploaded, D replaced by a signed pledge"
    )
    status: str
    note: str
    pledge_text: str = Field("", description="trust level D: the pledge text the applicant accepted")
    pledged_at: dt.datetime | None = None


class CorrectionProblemOut(Schema):
    material_id: str
    material: str
    problem: str


class CorrectionRequestOut(Schema):
    notice_number: str
    sent_at: dt.datetime
    deadline_on: dt.date
    resolved_at: dt.datetime | None
    items: list[CorrectionProblemOut]


class SpecialProcedureOut(Schema):
    kind: CodeLabel
    basis: str
    reason: str
    started_on: dt.date
    ended_on: dt.date | None
    working_days: int
    expected_working_days: int | None = Field(description="the expected duration told to the applicant")
    expected_end_on: dt.date | None


class EventOut(Schema):
    action: CodeLabel
    status: str
    department: str
    at: dt.datetime
    note: str


class CaseOut(CaseSummaryOut):
    form_data: dict[str, Any]
    intake_due_on: dt.date | None = Field(description="last day for a correction notice (5 working days)")
    accepted_by_default: bool
    accepted_late: bool = Field(description="accepted after the 5-working-day window: clocked from receipt")
    refusal_reason: str
    extended_days: int
    conclusion_code: int | None = Field(description="0 出证办结, 1 不予许可, 2 作废, 4 转报")
    result: str
    conclusion_reason: str
    concluded_at: dt.datetime | None
    delivery_method: str
    tracking_number: str
    delivered_at: dt.datetime | None
    deliver_by: dt.date | None = Field(description="licence delivery deadline, 10 working days (art. 44)")
    materials: list[CaseMaterialOut]
    correction_requests: list[CorrectionRequestOut]
    special_procedures: list[SpecialProcedureOut]
    timeline: list[EventOut]


class AcceptedOut(Schema):
    case: CaseOut
    number: str
    query_password: str = Field(
        description="shown only in this answer (and sent to the applicant by SMS); only its keyed hash is kept"
    )


class CaseCreateIn(Schema):
    item: str = Field(
        min_length=1, max_length=40, description="the item's implementation code (实施编码) in the catalogue"
    )
    company_id: uuid.UUID | None = Field(
        None, description="apply for this company as its legal representative or authorised agent"
    )
    form_data: dict[str, Any] = Field(
        default_factory=dict, max_length=200, description="the item's application form (its JSON Schema)"
    )
    submit: bool = Field(False, description="submit at once (the item must need no uploads still missing)")


class PledgeIn(Schema):
    material_id: uuid.UUID = Field(description="a material of the case's guide that allows a pledge")
    accept: bool = Field(
        description="true: the applicant read the material's pledge_text and makes the pledge"
    )


class VersionIn(Schema):
    expected_version: int | None = VERSION_FIELD


class CorrectionProblemIn(Schema):
    material_id: uuid.UUID = Field(description="a material listed in the case's guide version")
    problem: str = Field(min_length=1, max_length=500, description="what is missing or wrong")


class CorrectionIn(VersionIn):
    problems: list[CorrectionProblemIn] = Field(
        min_length=1, max_length=100, description="every missing or defective material, in one notice"
    )


class RefuseIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000, description="the rule and the condition not met")


class SuspendIn(VersionIn):
    kind: Literal["hearing", "inspection", "testing", "quarantine", "appraisal", "expert_review"] = Field(
        description="the special procedure; its time is not counted"
    )
    reason: str = Field(min_length=1, max_length=2000)
    basis: str = Field(min_length=1, max_length=300, description="the legal basis")
    expected_working_days: int = Field(ge=1, le=250, description="expected duration, told to the applicant")
    started_on: dt.date | None = Field(None, description="default today")


class ResumeIn(VersionIn):
    ended_on: dt.date | None = Field(None, description="default today")


class ExtendIn(VersionIn):
    working_days: int = Field(ge=1, le=15, description="working days to add to the time limit")
    reason: str = Field(min_length=1, max_length=2000, description="told to the applicant once approved")
    basis: str = Field(min_length=1, max_length=300, description="the legal basis")


class ExtensionDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000, description="the head's opinion (required to refuse)")


class ExtensionRequestOut(Schema):
    id: uuid.UUID
    working_days: int
    reason: str
    basis: str
    status: str = Field(description="pending, approved or refused")
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class ConcludeIn(VersionIn):
    code: Literal[0, 1, 2, 4] = Field(description="0 出证办结, 1 不予许可, 2 作废, 4 转报")
    result: str = Field("", max_length=2000, description="the licence or document (required for 0)")
    reason: str = Field("", max_length=2000, description="reason and basis (required for 1, 2, 4)")


class DeliverIn(VersionIn):
    method: Literal["window", "post", "electronic"]
    address: str = Field("", max_length=300, description="postal address (post only)")
    tracking_number: str = Field("", max_length=50, description="courier tracking number (post only)")


class WithdrawIn(VersionIn):
    reason: str = Field("", max_length=500, description="required once the case was submitted")


class CaseListFilter(Schema):
    scope: Literal["mine", "department"] = Field(
        "mine", description="`mine`: my applications; `department`: my departments' cases (staff)"
    )
    status: CaseStatus | None = None


class NotificationOut(Schema):
    event: str
    channel: CodeLabel
    recipient: str = Field(description="masked phone or e-mail address")
    status: CodeLabel
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    provider_message_id: str
    created_at: dt.datetime


class TrackingEntryOut(Schema):
    action: str
    action_label: str
    status: str
    status_label: str
    department: str = Field(description="the department, never a staff member's name")
    at: dt.datetime
    note: str


class TrackingOut(Schema):
    number: str
    item_name: str
    department: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_on: dt.date | None
    concluded_at: dt.datetime | None
    timeline: list[TrackingEntryOut]
