"""Assisted-service writes: identifying a resident at a grassroots point, their consent, the assisted filing;
call-back requests from the elderly mode; the elderly mode's featured items."""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from onewindow.assist.models import (
    AssistedFiling,
    CallbackRequest,
    CallbackStatus,
    ConsentMethod,
    FeaturedItem,
)
from onewindow.assist.selectors import assist_point_check
from onewindow.cases.models import Case
from onewindow.cases.services import case_assisted_file
from onewindow.catalogue.models import Item, Material
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.identifiers import citizen_id_check, mobile_phone_check
from onewindow.core.ratelimit import rate_limit_hit
from onewindow.core.services import audit_record
from onewindow.halls.models import ServiceCentre
from onewindow.identity.card_readers import IdCard
from onewindow.identity.models import AssuranceLevel, Person, SmsPurpose
from onewindow.identity.services.accounts import sms_code_send, sms_code_verify
from onewindow.identity.services.people import person_by_identifier, person_create
from onewindow.identity.services.verification import person_verify_at_counter
from onewindow.organisations.selectors import staff_memberships

# A hand-drawn signature as a PNG is a few KB; anything far larger is not one.
SIGNATURE_MAX_BYTES = 200 * 1024
SIGNATURE_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

CONSENT_TEXT = (
    "本人{name}同意由{point}工作人员代为填写并提交“{item}”的申请，申请人为本人，"
    "办理进度和结果将发送至本人账户和手机。"
)


def consent_text(*, person: Person, centre: ServiceCentre, item: Item) -> str:
    """What the resident agrees to, shown above the signature pad and kept with the filing."""
    version = item.published_version
    return CONSENT_TEXT.format(name=person, point=centre.name, item=version.name if version else item)


@transaction.atomic
def assist_resident_identify(
    *,
    helper: Any,
    centre: ServiceCentre,
    name: str,
    id_number: str,
    phone: str = "",
    document_checked: bool,
) -> Person:
    """The resident at the point, by their ID card (read by the reader, or typed with the card in hand):
    found, or registered with the phone given; either way verified in person (L4) by the staff member."""
    assist_point_check(user=helper, centre=centre)
    try:
        id_number = citizen_id_check(id_number)
    except DomainError as error:
        raise DomainError(
            code=error.code,
            message=error.message,
            problems=[FieldProblem("id_number", error.code, error.message)],
        ) from None
    person = person_by_identifier(id_number)
    if person is None:
        if not (phone or "").strip():
            raise DomainError(
                code="assist.phone_required",
                message="该群众尚未在平台注册。请填写本人（或家属）的手机号码：办理进度将以短信告知，今后可凭此号码登录查看。",
                problems=[FieldProblem("phone", "required", "请填写手机号码。")],
            )
        person = person_create(name=name, phone=phone, id_number=id_number, actor=helper)
    elif name.strip() and name.strip() != person.user.name:
        raise DomainError(
            code="assist.name_mismatch",
            message="身份证上的姓名与平台登记的姓名不一致，请核对证件。",
            problems=[FieldProblem("name", "assist.name_mismatch", "姓名与平台登记的不一致。")],
        )
    if person.assurance_level < AssuranceLevel.L4:
        person_verify_at_counter(
            clerk=helper, person=person, id_number=id_number, document_checked=document_checked
        )
        person.refresh_from_db()
    return person


def assist_resident_from_card(*, helper: Any, centre: ServiceCentre, card: IdCard, phone: str = "") -> Person:
    """As :func:`assist_resident_identify`, with what the ID card reader read (the card was on the reader)."""
    return assist_resident_identify(
        helper=helper,
        centre=centre,
        name=card.name,
        id_number=card.id_number,
        phone=phone,
        document_checked=True,
    )


def assist_consent_sms_send(*, helper: Any, centre: ServiceCentre, person: Person) -> None:
    """Send the resident a code to read out (or type) as their consent."""
    assist_point_check(user=helper, centre=centre)
    if not person.phone:
        raise DomainError(
            code="assist.no_phone", message="该群众没有登记手机号码，请改用屏幕签名的方式确认授权。"
        )
    sms_code_send(phone=person.phone, purpose=SmsPurpose.ASSIST_CONSENT)


def _signature_check(signature: str) -> str:
    problem = DomainError(
        code="assist.signature_invalid",
        message="请群众在签名框内亲笔签名后再提交。",
        problems=[FieldProblem("signature", "assist.signature_invalid", "请在签名框内签名。")],
    )
    if not signature.startswith(SIGNATURE_PREFIX) or len(signature) > SIGNATURE_MAX_BYTES * 4 // 3 + 64:
        raise problem
    try:
        data = base64.b64decode(signature[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise problem from None
    # PNG header and IHDR: a real image of at least a small signature's size.
    if len(data) < 33 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        raise problem
    width, height = struct.unpack(">II", data[16:24])
    if width < 100 or height < 50:
        raise problem
    return signature


def assisted_filing_create(
    *,
    helper: Any,
    centre: ServiceCentre,
    person: Person,
    item: Item,
    form_data: dict[str, Any],
    materials: Sequence[tuple[Material, Any]],
    consent_method: str,
    signature: str = "",
    sms_code: str = "",
) -> AssistedFiling:
    """File ``item`` for the resident with their consent (帮办代办): the case is the resident's own."""
    assist_point_check(user=helper, centre=centre)
    if consent_method == ConsentMethod.SIGNATURE:
        signature = _signature_check(signature)
    elif consent_method == ConsentMethod.SMS:
        if not person.phone:
            raise DomainError(code="assist.no_phone", message="该群众没有登记手机号码，请改用屏幕签名。")
        # Outside the filing's transaction: a wrong code must count against the five tries even when the
        # filing is refused (the identity service commits each attempt).
        try:
            sms_code_verify(phone=person.phone, purpose=SmsPurpose.ASSIST_CONSENT, code=sms_code)
        except DomainError as error:
            raise DomainError(
                code=error.code,
                message=error.message,
                status=error.status,
                problems=[FieldProblem("sms_code", error.code, error.message)],
            ) from None
        signature = ""
    else:
        raise DomainError(
            code="assist.consent_required",
            message="请先取得群众的授权：屏幕签名或短信验证码。",
            problems=[FieldProblem("consent_method", "required", "请选择授权方式。")],
        )
    return _filing_create(
        helper=helper,
        centre=centre,
        person=person,
        item=item,
        form_data=form_data,
        materials=materials,
        consent_method=consent_method,
        signature=signature,
    )


@transaction.atomic
def _filing_create(
    *,
    helper: Any,
    centre: ServiceCentre,
    person: Person,
    item: Item,
    form_data: dict[str, Any],
    materials: Sequence[tuple[Material, Any]],
    consent_method: str,
    signature: str,
) -> AssistedFiling:
    case: Case = case_assisted_file(
        helper=helper,
        person=person,
        item=item,
        form_data=form_data,
        materials=materials,
        assisted_by=centre.name,
    )
    filing = AssistedFiling.objects.create(
        case=case,
        centre=centre,
        helper=helper,
        resident=person,
        consent_method=consent_method,
        consent_signature=signature,
        consent_text=consent_text(person=person, centre=centre, item=item),
        consented_at=clock.now(),
    )
    audit_record(
        actor=helper,
        action="assisted_filing.create",
        target=filing,
        changes={"case": str(case.pk), "centre": str(centre.pk), "consent": consent_method},
    )
    return filing


@transaction.atomic
def callback_request_create(
    *, name: str, phone: str, topic: str = "", item: Item | None = None, user: Any = None, address: str = ""
) -> CallbackRequest:
    """Ask staff to phone back (请给我回电话). Rate limited per client address."""
    problems = []
    name = (name or "").strip()
    if not name or len(name) > 100:
        problems.append(FieldProblem("name", "name.invalid", "请填写您的称呼（不超过 100 个字）。"))
    try:
        phone = mobile_phone_check(phone)
    except DomainError as error:
        problems.append(FieldProblem("phone", error.code, error.message))
    topic = (topic or "").strip()
    if len(topic) > 300:
        problems.append(FieldProblem("topic", "topic.too_long", "想咨询的事请不超过 300 个字。"))
    if problems:
        raise DomainError(code="callback.invalid", message=problems[0].message, problems=problems)
    rate_limit_hit(scope="callback_request", key=f"addr:{address or 'unknown'}")
    request = CallbackRequest.objects.create(
        name=name,
        phone=phone,
        topic=topic,
        item=item,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(
        actor=request.requested_by,
        action="callback_request.create",
        target=request,
        changes={"item": str(item.pk) if item else ""},
    )
    return request


@transaction.atomic
def callback_request_close(*, actor: Any, request: CallbackRequest, outcome: str) -> CallbackRequest:
    """Record that staff phoned the person back, and what came of it."""
    if not staff_memberships(user=actor).exists():
        raise PermissionDenied("只有工作人员可以处理回电请求。")
    request = CallbackRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == CallbackStatus.DONE:
        raise DomainError(code="callback.already_done", message="该回电请求已处理。", status=409)
    outcome = (outcome or "").strip()
    if not outcome or len(outcome) > 1000:
        raise DomainError(
            code="callback.outcome_required",
            message="请填写回电结果（不超过 1000 个字）。",
            problems=[FieldProblem("outcome", "required", "请填写回电结果。")],
        )
    request.status = CallbackStatus.DONE
    request.handled_by = actor
    request.handled_at = clock.now()
    request.outcome = outcome
    request.save(update_fields=["status", "handled_by", "handled_at", "outcome", "updated_at"])
    audit_record(actor=actor, action="callback_request.close", target=request)
    return request


@transaction.atomic
def featured_items_set(
    *, actor: Any, listing: str, entries: Sequence[tuple[Item, str]]
) -> list[FeaturedItem]:
    """Replace a featured list (e.g. the elderly mode's items) with ``entries`` in order: (item, short label)."""
    problems = []
    for row, (item, label) in enumerate(entries, start=1):
        if item.published_version_id is None:
            problems.append(FieldProblem("item", "item.unpublished", f"第 {row} 项的事项尚未发布。", row=row))
        if not label.strip() or len(label.strip()) > 20:
            problems.append(
                FieldProblem("label", "label.invalid", f"第 {row} 项的简称须为 1–20 个字。", row=row)
            )
    if len({item.pk for item, _ in entries}) != len(entries):
        problems.append(FieldProblem("item", "item.duplicate", "同一事项不能重复列出。"))
    if problems:
        raise DomainError(code="featured.invalid", message=problems[0].message, problems=problems)
    FeaturedItem.objects.filter(listing=listing).delete()
    rows = [
        FeaturedItem.objects.create(listing=listing, item=item, label=label.strip(), position=position)
        for position, (item, label) in enumerate(entries, start=1)
    ]
    audit_record(actor=actor, action="featured_items.set", changes={"listing": listing, "count": len(rows)})
    return rows
