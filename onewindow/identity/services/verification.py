"""Raising a person's assurance level: online against the population registry (L2), by face (L3), and in
person at a service window (L4). Every attempt, failed or not, is kept with the verifier's reference and
written to the audit trail; a level never goes down."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.identifiers import citizen_id_check
from onewindow.core.plugins import plugin
from onewindow.core.ratelimit import rate_limit_hit
from onewindow.core.services import audit_record
from onewindow.identity.models import METHOD_LEVEL, IdentityVerification, Person, VerificationMethod
from onewindow.identity.services.people import id_number_hash
from onewindow.identity.verifiers import VerifierResult
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_has_role

REGISTRY_REFUSED = (
    "姓名与身份证号码未能通过公安人口库核验。请核对后重试；如确认无误，请携带身份证到政务服务窗口核验。"
)
ID_NUMBER_TAKEN = "该身份证号码已绑定其他账号。如非本人操作，请携带身份证到政务服务窗口核实。"
FACE_REFUSED = "人脸核验未通过。请在光线充足处正对摄像头重试，或携带身份证到政务服务窗口核验。"


def _verifier_name() -> str:
    return type(plugin("identity_verifier")).__name__


def _id_number_checked(id_number: str, field: str = "id_number") -> str:
    try:
        return citizen_id_check(id_number)
    except DomainError as error:
        raise DomainError(
            code=error.code, message=error.message, problems=[FieldProblem(field, error.code, error.message)]
        ) from None


def _id_number_free_for(person: Person, id_number: str) -> None:
    """An ID number belongs to one account only (it is how a person is found at a window)."""
    if Person.objects.filter(id_number_hash=id_number_hash(id_number)).exclude(pk=person.pk).exists():
        raise DomainError(
            code="id_number.taken",
            message=ID_NUMBER_TAKEN,
            status=409,
            problems=[FieldProblem("id_number", "id_number.taken", "该身份证号码已绑定其他账号。")],
        )


def _same_as_bound(person: Person, id_number: str) -> None:
    if person.id_number and person.id_number != id_number:
        raise DomainError(
            code="id_number.mismatch",
            message=f"您的账号已绑定身份证号码 {person.id_number_masked}，请填写该号码。",
            problems=[FieldProblem("id_number", "id_number.mismatch", "与账号已绑定的身份证号码不一致。")],
        )


@transaction.atomic
def _record(
    *,
    person: Person,
    method: VerificationMethod,
    result: VerifierResult,
    actor: Any,
    verifier: str,
    id_number: str = "",
    name: str = "",
) -> IdentityVerification:
    """Keep the attempt; on success bind the ID number, take the verified name and raise the level."""
    level = METHOD_LEVEL[method]
    verification = IdentityVerification.objects.create(
        person=person,
        method=method,
        level=level,
        succeeded=result.ok,
        verifier=verifier,
        reference=result.reference[:100],
        detail=result.detail[:300],
        performed_by=actor if method == VerificationMethod.COUNTER else None,
    )
    changes: dict[str, Any] = {"method": method.value, "succeeded": result.ok}
    if result.ok:
        before = person.assurance_level
        fields = ["verified_at", "updated_at"]
        if id_number and not person.id_number:
            person.id_number, person.id_number_hash = id_number, id_number_hash(id_number)
            fields += ["id_number", "id_number_hash"]
        person.assurance_level = max(before, level)
        person.verified_at = timezone.now()
        try:
            with transaction.atomic():
                person.save(update_fields=[*fields, "assurance_level"])
        except IntegrityError:  # the same number was bound to another account a moment ago
            raise DomainError(code="id_number.taken", message=ID_NUMBER_TAKEN, status=409) from None
        if name and name != person.user.name:
            person.user.name = name
            person.user.save(update_fields=["name"])
            changes["name"] = "updated"
        changes["level"] = [before, person.assurance_level]
    audit_record(actor=actor, action="person.verify", target=person, changes=changes)
    return verification


def _ask(call: Any, **record: Any) -> VerifierResult:
    """Ask the verifier; an outage is kept as a failed attempt too before the refusal goes back."""
    try:
        return call()
    except DomainError as error:
        _record(result=VerifierResult(ok=False, detail=error.code), **record)
        raise


def person_verify_online(*, person: Person, name: str, id_number: str) -> IdentityVerification:
    """L2: check the name and ID number against the population registry; binds the number to the account."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(
            code="name.invalid",
            message="请填写与身份证一致的姓名。",
            problems=[FieldProblem("name", "name.invalid", "请填写与身份证一致的姓名。")],
        )
    id_number = _id_number_checked(id_number)
    _same_as_bound(person, id_number)
    _id_number_free_for(person, id_number)
    rate_limit_hit(scope="identity_verify", key=str(person.pk))
    verifier = plugin("identity_verifier")
    record: dict[str, Any] = {
        "person": person,
        "method": VerificationMethod.REGISTRY,
        "actor": person.user,
        "verifier": _verifier_name(),
        "id_number": id_number,
        "name": name,
    }
    result = _ask(lambda: verifier.verify_registry(name=name, id_number=id_number), **record)
    verification = _record(result=result, **record)
    if not result.ok:
        raise DomainError(code="identity.registry_refused", message=REGISTRY_REFUSED)
    return verification


def person_verify_face(*, person: Person, evidence: bytes | str) -> IdentityVerification:
    """L3: a face check against the registry photo of the person's verified ID number (needs L2 first)."""
    if person.assurance_level < METHOD_LEVEL[VerificationMethod.REGISTRY] or not person.id_number:
        raise DomainError(
            code="identity.needs_l2",
            message="请先完成实名核验（L2：姓名和身份证号码），再进行人脸核验。",
            status=409,
        )
    if not evidence:
        raise DomainError(
            code="identity.face_missing",
            message="请先完成人脸采集。",
            problems=[FieldProblem("evidence", "identity.face_missing", "请先完成人脸采集。")],
        )
    rate_limit_hit(scope="identity_verify", key=str(person.pk))
    verifier = plugin("identity_verifier")
    record: dict[str, Any] = {
        "person": person,
        "method": VerificationMethod.FACE,
        "actor": person.user,
        "verifier": _verifier_name(),
    }
    name, number = person.user.name, person.id_number
    result = _ask(lambda: verifier.verify_face(name=name, id_number=number, evidence=evidence), **record)
    verification = _record(result=result, **record)
    if not result.ok:
        raise DomainError(code="identity.face_refused", message=FACE_REFUSED)
    return verification


def person_verify_at_counter(
    *, clerk: Any, person: Person, id_number: str, document_checked: bool
) -> IdentityVerification:
    """L4: a window clerk saw the person and their ID card; the number the clerk types must be the person's."""
    if not staff_has_role(user=clerk, role=Role.WINDOW_CLERK):
        raise PermissionDenied("只有窗口受理人员可以进行窗口身份核验。")
    if not document_checked:
        raise DomainError(
            code="identity.document_unchecked",
            message="请先查验申请人的居民身份证原件，并勾选“已查验身份证原件”。",
            problems=[FieldProblem("document_checked", "required", "请确认已查验身份证原件。")],
        )
    id_number = _id_number_checked(id_number)
    record: dict[str, Any] = {
        "person": person,
        "method": VerificationMethod.COUNTER,
        "actor": clerk,
        "verifier": "counter",
        "id_number": id_number,
    }
    if person.id_number and person.id_number != id_number:
        _record(result=VerifierResult(ok=False, detail="身份证号码与账号不一致"), **record)
        raise DomainError(
            code="id_number.mismatch",
            message="身份证上的号码与该账号绑定的号码不一致，不能核验。请核对是否为本人账号。",
            problems=[FieldProblem("id_number", "id_number.mismatch", "与账号绑定的身份证号码不一致。")],
        )
    _id_number_free_for(person, id_number)
    return _record(result=VerifierResult(ok=True, reference=f"counter-{clerk.pk}"), **record)
