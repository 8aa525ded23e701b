"""Licence services: issuing (identifier, signature, event 01), keys, renewal and change, suspension, lifting,
revocation, expiry and reminders — each with its national operation code and its audit entry."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.cases.tests.test_acceptance import committed_db  # noqa: F401  (fixture)
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.licences import services
from onewindow.licences.identifiers import licence_identifier_problems
from onewindow.licences.models import (
    KeyStatus,
    Licence,
    LicenceEvent,
    LicenceOperation,
    LicenceStatus,
    LicenceType,
    SignatureAlgorithm,
    SigningKey,
)
from onewindow.licences.selectors import licence_verify
from onewindow.licences.tests.factories import FACE, licence_issued, licence_type, signing_key
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, person


@pytest.fixture
def food_type(department_a) -> LicenceType:
    return licence_type(department_a, code="11100000000013338W011")


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def admin_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="admin_a", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user


@pytest.fixture
def approver_b(department_b):
    return MembershipFactory(
        user=UserFactory(username="approver_b", is_staff=True), department=department_b, role=Role.APPROVER
    ).user


@pytest.fixture
def holder(citizen):
    return citizen.person


def _ops(licence: Licence) -> list[str]:
    return list(licence.events.order_by("at", "created_at").values_list("operation", flat=True))


# --- issuing ---------------------------------------------------------------------------------------------


def test_issue_signs_a_valid_licence_with_a_gbt36904_identifier(food_type, holder, department_a):
    licence = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert licence_identifier_problems(licence.identifier) == []
    assert licence.identifier.startswith(f"1.2.156.3005.2.11100000000013338W011.{department_a.credit_code}.")
    assert licence.serial == f"{clock.today().year}0000001" and licence.version == 1
    assert licence.number == licence.serial
    assert licence.status == LicenceStatus.VALID
    assert licence.holder_name == "张三" and licence.holder_code == holder.id_number
    assert licence.valid_from == clock.today()
    assert licence.valid_until == clock.today().replace(year=clock.today().year + 5) - dt.timedelta(days=1)
    assert licence.signing_key.algorithm == SignatureAlgorithm.SM2_SM3
    assert _ops(licence) == [LicenceOperation.ISSUED]
    assert AuditEntry.objects.filter(action="licence.issue", target_id=str(licence.pk)).count() == 1
    result = licence_verify(licence.identifier)
    assert result.outcome == "valid" and result.signature_valid


def test_serials_count_up_per_type(food_type, holder):
    first = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    second = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert int(second.serial) == int(first.serial) + 1


def test_a_company_holds_by_its_credit_code(food_type, holder):
    from onewindow.cases.tests.factories import company_of

    company = company_of(holder)
    licence = services.licence_issue(licence_type=food_type, holder_company=company, face=FACE, actor=None)
    assert licence.holder_type == "001" and licence.holder_code == company.credit_code
    assert licence.holder_company == company and licence.holder_person is None


def test_ed25519_keys_sign_too(department_b, holder):
    signing_key(department_b, SignatureAlgorithm.ED25519)
    licence = licence_issued(holder_person=holder, licence_type=licence_type(department_b))
    assert licence.signing_key.algorithm == SignatureAlgorithm.ED25519
    assert licence_verify(licence.identifier).signature_valid


@pytest.mark.parametrize("code", ["111000000000133w011", "1110.0001", "证照", "ABC-1"])
def test_a_type_code_that_would_break_the_identifier_is_refused(department_a, code):
    with pytest.raises(DomainError) as refused:
        licence_type(department_a, code=code)
    assert refused.value.code == "licence_type.code_invalid"
    assert not LicenceType.objects.filter(code=code).exists()


@pytest.mark.parametrize("code", ["abc", "A.B"])
def test_issue_refuses_a_licence_whose_identifier_would_not_validate(department_a, holder, code):
    # A type stored past the service (an import, the admin) with a lowercase letter or a dot in its code.
    bad = LicenceType.objects.create(code=code, name="坏类型", issuer=department_a, validity_years=1)
    with pytest.raises(DomainError) as refused:
        services.licence_issue(licence_type=bad, holder_person=holder, face={}, actor=None)
    assert refused.value.code == "licence.identifier_invalid"
    assert not Licence.objects.exists()


def test_issue_refuses_an_unverified_holder_unknown_face_fields_and_two_holders(food_type, holder):
    unverified = person(77, level=1)
    with pytest.raises(DomainError) as refused:
        services.licence_issue(licence_type=food_type, holder_person=unverified, face=FACE, actor=None)
    assert refused.value.code == "licence.holder_unverified"
    with pytest.raises(DomainError) as refused:
        services.licence_issue(
            licence_type=food_type, holder_person=holder, face={"colour": "红"}, actor=None
        )
    assert refused.value.code == "licence.face_invalid" and refused.value.problems[0].field == "colour"
    with pytest.raises(DomainError) as refused:
        services.licence_issue(licence_type=food_type, face=FACE, actor=None)
    assert refused.value.code == "licence.holder_required"
    assert not Licence.objects.exists()


def test_an_inactive_type_issues_nothing(food_type, holder):
    services.licence_type_activate(licence_type=food_type, active=False, actor=None)
    with pytest.raises(DomainError) as refused:
        services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert refused.value.status == 409


def test_long_term_types_have_no_end_date(department_a, holder):
    licence = licence_issued(
        holder_person=holder, licence_type=licence_type(department_a, validity_years=None)
    )
    assert licence.valid_until is None


def test_validity_from_29_february_ends_on_27_february():
    kind = LicenceType(validity_years=1)
    assert services.licence_valid_until(kind, dt.date(2028, 2, 29)) == dt.date(2029, 2, 27)


# --- keys ------------------------------------------------------------------------------------------------


def test_the_first_issue_creates_an_sm2_key_when_the_department_has_none(food_type, holder, department_a):
    assert not SigningKey.objects.filter(department=department_a).exists()
    services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    key = SigningKey.objects.get(department=department_a)
    assert key.algorithm == SignatureAlgorithm.SM2_SM3 and key.status == KeyStatus.ACTIVE
    assert key.public_key.startswith("-----BEGIN PUBLIC KEY-----")


def test_key_create_and_rotate_by_the_department_admin(department_a, admin_a, approver_a, food_type, holder):
    key = services.signing_key_create(department=department_a, algorithm="sm2-sm3", actor=admin_a)
    old = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    with pytest.raises(DomainError) as refused:
        services.signing_key_create(department=department_a, algorithm="sm2-sm3", actor=admin_a)
    assert refused.value.status == 409
    with pytest.raises(DomainError) as refused:
        services.signing_key_rotate(department=department_a, algorithm="sm2-sm3", actor=approver_a)
    assert refused.value.status == 403
    new_key = services.signing_key_rotate(department=department_a, algorithm="sm2-sm3", actor=admin_a)
    key.refresh_from_db()
    assert key.status == KeyStatus.RETIRED and key.retired_at is not None
    assert new_key.status == KeyStatus.ACTIVE and new_key.key_id != key.key_id
    new = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert new.signing_key == new_key
    # The retired key still verifies what it signed.
    assert licence_verify(old.identifier).signature_valid
    assert AuditEntry.objects.filter(action="signing_key.rotate").count() == 1


def test_the_private_key_is_stored_encrypted(department_a, admin_a):
    from django.db import connection

    key = services.signing_key_create(department=department_a, algorithm="ed25519", actor=admin_a)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key FROM licences_signingkey WHERE id = %s",
            [key.pk.hex if connection.vendor == "sqlite" else key.pk],
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("sm4gcm:") and "PRIVATE KEY" not in stored


def test_a_key_needs_a_known_algorithm(department_a, admin_a):
    with pytest.raises(DomainError) as refused:
        services.signing_key_create(department=department_a, algorithm="rsa", actor=admin_a)
    assert refused.value.code == "signing_key.algorithm_invalid"


# --- lifecycle -------------------------------------------------------------------------------------------


@pytest.fixture
def licence(food_type, holder):
    return services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)


def test_suspend_and_lift(licence, approver_a):
    services.licence_suspend(licence=licence, actor=approver_a, reason="涉嫌违法经营", basis="食品安全法")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    assert licence_verify(licence.identifier).outcome == "suspended"
    services.licence_suspension_lift(licence=licence, actor=approver_a, reason="整改完成")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    assert _ops(licence) == ["01", "03", "06"]
    assert AuditEntry.objects.filter(action__in=["licence.suspend", "licence.suspension_lift"]).count() == 2


def test_revoke_needs_reason_and_basis_and_is_final(licence, approver_a):
    with pytest.raises(DomainError) as refused:
        services.licence_revoke(licence=licence, actor=approver_a, reason="", basis="x")
    assert refused.value.code == "licence.reason_required"
    with pytest.raises(DomainError) as refused:
        services.licence_revoke(licence=licence, actor=approver_a, reason="x", basis=" ")
    assert refused.value.code == "licence.basis_required"
    services.licence_revoke(
        licence=licence, actor=approver_a, reason="以欺骗手段取得", basis="行政许可法第六十九条"
    )
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED and _ops(licence) == ["01", "05"]
    assert licence_verify(licence.identifier).outcome == "revoked"
    with pytest.raises(DomainError) as refused:
        services.licence_suspend(licence=licence, actor=approver_a, reason="x")
    assert refused.value.status == 409


def test_another_departments_staff_and_clerks_cannot_run_the_lifecycle(licence, approver_b, clerk_a):
    for actor in (approver_b, clerk_a):
        with pytest.raises(DomainError) as refused:
            services.licence_suspend(licence=licence, actor=actor, reason="x")
        assert refused.value.status == 403
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID


def test_renewal_is_a_new_version_pointing_at_the_previous(licence, approver_a):
    renewed = services.licence_renew(licence=licence, actor=approver_a, reason="到期延续")
    licence.refresh_from_db()
    assert renewed.previous == licence and renewed.version == 2 and renewed.serial == licence.serial
    assert renewed.identifier.endswith(".002." + renewed.identifier[-1])
    assert licence_identifier_problems(renewed.identifier) == []
    assert licence.status == LicenceStatus.SUPERSEDED
    assert _ops(renewed) == ["02"] and _ops(licence) == ["01", "02"]
    old = licence_verify(licence.identifier)
    assert old.outcome == "superseded" and old.successor_identifier == renewed.identifier
    assert licence_verify(renewed.identifier).outcome == "valid"
    with pytest.raises(DomainError) as refused:
        services.licence_renew(licence=licence, actor=approver_a)
    assert refused.value.status == 409


@pytest.mark.parametrize("valid_from", [dt.date(9999, 12, 31), dt.date(1, 1, 1), "too_early", "too_late"])
def test_a_renewal_dated_outside_the_window_is_refused(licence, approver_a, valid_from):
    today = clock.today()
    if valid_from == "too_early":
        valid_from = today - dt.timedelta(days=31)
    elif valid_from == "too_late":
        valid_from = today + dt.timedelta(days=367)
    with pytest.raises(DomainError) as refused:
        services.licence_renew(licence=licence, actor=approver_a, valid_from=valid_from)
    assert (refused.value.code, refused.value.status) == ("licence.valid_from_out_of_range", 400)
    assert not Licence.objects.filter(previous=licence).exists()


@pytest.mark.parametrize("days", [-30, 366])
def test_a_renewal_dated_at_the_edges_of_the_window_is_issued(licence, approver_a, days):
    start = clock.today() + dt.timedelta(days=days)
    renewed = services.licence_renew(licence=licence, actor=approver_a, valid_from=start)
    assert renewed.valid_from == start and renewed.valid_until is not None


def test_the_validity_end_never_overflows_the_calendar(food_type):
    from onewindow.licences.services.issuing import licence_valid_until

    assert licence_valid_until(food_type, dt.date(9999, 12, 31)) == dt.date.max
    assert licence_valid_until(food_type, dt.date(2024, 2, 29)) == dt.date(2029, 2, 27)


def test_change_keeps_validity_and_needs_a_real_change(licence, approver_a):
    with pytest.raises(DomainError) as refused:
        services.licence_change(licence=licence, actor=approver_a, face=dict(FACE), reason="无变化")
    assert refused.value.code == "licence.change_empty"
    with pytest.raises(DomainError) as refused:
        services.licence_change(licence=licence, actor=approver_a, face={"address": "新地址"}, reason="")
    assert refused.value.code == "licence.reason_required"
    changed = services.licence_change(
        licence=licence, actor=approver_a, face={"address": "福州市台江区1号"}, reason="经营场所变更"
    )
    assert changed.face == FACE | {"address": "福州市台江区1号"}
    assert (changed.valid_from, changed.valid_until) == (licence.valid_from, licence.valid_until)
    assert changed.previous == licence and _ops(changed) == ["08"]
    assert licence_verify(changed.identifier).signature_valid


def test_expiry_job_expires_past_licences_once(food_type, holder):
    licence = services.licence_issue(
        licence_type=food_type,
        holder_person=holder,
        face=FACE,
        actor=None,
        valid_from=clock.today().replace(year=clock.today().year - 5),
    )
    assert licence.valid_until == clock.today() - dt.timedelta(days=1)
    current = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert services.licences_expire() == 1
    assert services.licences_expire() == 0
    licence.refresh_from_db()
    current.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED and _ops(licence) == ["01", "04"]
    assert current.status == LicenceStatus.VALID
    assert LicenceEvent.objects.filter(operation="04").count() == 1


def test_reminders_go_once_to_holders_of_licences_about_to_expire(food_type, holder, mailoutbox):
    from onewindow.identity.sms import SandboxSmsGateway

    holder.user.email = "zhangsan@example.com"
    holder.user.save()
    licence = services.licence_issue(
        licence_type=food_type,
        holder_person=holder,
        face=FACE,
        actor=None,
        valid_from=clock.today().replace(year=clock.today().year - 5) + dt.timedelta(days=10),
    )
    far = services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)
    assert services.licence_expiry_reminders_send() == 1
    assert services.licence_expiry_reminders_send() == 0
    licence.refresh_from_db()
    far.refresh_from_db()
    assert licence.expiry_reminded_at is not None and far.expiry_reminded_at is None
    assert len(mailoutbox) == 1 and licence.number in mailoutbox[0].body
    assert licence.number in (SandboxSmsGateway.last_message(holder.phone) or "")
    assert AuditEntry.objects.filter(action="licence.expiry_remind").count() == 1


def test_a_failed_reminder_is_tried_again_on_the_next_run(food_type, holder, monkeypatch):
    from onewindow.identity.sms import SandboxSmsGateway

    licence = services.licence_issue(
        licence_type=food_type,
        holder_person=holder,
        face=FACE,
        actor=None,
        valid_from=clock.today().replace(year=clock.today().year - 5) + dt.timedelta(days=3),
    )

    def down(self, *, phone, text):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(SandboxSmsGateway, "send", down)
    assert services.licence_expiry_reminders_send() == 0
    licence.refresh_from_db()
    assert licence.expiry_reminded_at is None
    monkeypatch.undo()
    assert services.licence_expiry_reminders_send() == 1


def test_the_periodic_jobs_run_the_services(food_type, holder):
    from django.conf import settings

    from onewindow.licences import tasks

    jobs = {path for path, _seconds in settings.ONEWINDOW_PERIODIC_JOBS}
    assert "onewindow.licences.tasks.licences_expire_job" in jobs
    assert "onewindow.licences.tasks.licence_expiry_reminders_job" in jobs
    services.licence_issue(
        licence_type=food_type,
        holder_person=holder,
        face=FACE,
        actor=None,
        valid_from=clock.today().replace(year=clock.today().year - 6),
    )
    assert tasks.licences_expire_job.call() == 1
    assert tasks.licence_expiry_reminders_job.call() == 0


def test_the_key_rotate_command(department_a, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("licence_key_rotate", department_a.credit_code, "--algorithm", "ed25519")
    assert "ed25519-" in capsys.readouterr().out
    assert SigningKey.objects.filter(department=department_a, status="active").count() == 1
    with pytest.raises(CommandError):
        call_command("licence_key_rotate", "91350100M000100Y43")


# --- issuing on a case's conclusion ----------------------------------------------------------------------


@pytest.fixture
def licensing_item(department_a):
    from onewindow.cases.tests.factories import case_item
    from onewindow.catalogue.models import CaseType

    licence_type(
        department_a,
        code="JY1",
        face_fields=[
            {"key": "operator", "label": "经营者", "source": "form.applicant_name"},
            {"key": "case_number", "label": "办件编号", "source": "case.number"},
            {"key": "missing", "label": "缺失", "source": "form.nothing"},
        ],
    )
    return case_item(
        department=department_a, case_type=CaseType.IMMEDIATE, promised_days=0, licence_type_code="JY1"
    )


def _concluded(item, citizen, clerk, code=0, **kwargs):
    from onewindow.cases import services as case_services
    from onewindow.cases.tests.factories import case_in_state

    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk)
    if code == 0:
        return case_services.case_conclude(case=case, actor=clerk, code=0, result="食品经营许可证", **kwargs)
    return case_services.case_conclude(case=case, actor=clerk, code=code, reason="不符合条件", **kwargs)


def test_an_approved_case_issues_its_items_licence(licensing_item, citizen, clerk_a):
    case = _concluded(licensing_item, citizen, clerk_a)
    licence = Licence.objects.get(case=case)
    assert licence.holder_person == citizen.person and licence.licence_type.code == "JY1"
    assert licence.face == {"operator": "张三", "case_number": case.number, "missing": ""}
    case.refresh_from_db()
    assert licence.identifier in case.result and case.result.startswith("食品经营许可证")
    assert licence_verify(licence.identifier).is_valid
    assert AuditEntry.objects.filter(action="licence.issue", actor=clerk_a).count() == 1


def test_a_denied_case_issues_nothing(licensing_item, citizen, clerk_a):
    _concluded(licensing_item, citizen, clerk_a, code=1)
    assert not Licence.objects.exists()


@pytest.mark.parametrize("missing", ["inactive", "unknown"])
def test_an_item_without_an_active_licence_type_cannot_be_concluded(
    licensing_item, citizen, clerk_a, missing
):
    from onewindow.cases.models import Case
    from onewindow.catalogue.models import ItemVersion

    if missing == "inactive":
        LicenceType.objects.filter(code="JY1").update(is_active=False)
    else:
        ItemVersion.objects.filter(item=licensing_item).update(licence_type_code="NOSUCHTYPE")
    with pytest.raises(DomainError) as refused:
        _concluded(licensing_item, citizen, clerk_a)
    assert (refused.value.code, refused.value.status) == ("licence.type_missing", 409)
    assert "管理员" in refused.value.message
    assert not Case.objects.filter(status="concluded").exists() and not Licence.objects.exists()


def test_a_type_defined_by_another_department_is_signed_by_the_deciding_department(
    licensing_item, citizen, clerk_a, department_a, department_b
):
    LicenceType.objects.filter(code="JY1").update(issuer=department_b)
    case = _concluded(licensing_item, citizen, clerk_a)
    licence = Licence.objects.get(case=case)
    assert licence.issuer == department_a and licence.signing_key.department == department_a
    assert f".{department_a.credit_code}." in licence.identifier and licence.issuer_name == department_a.name


def test_the_issue_audit_names_the_case(licensing_item, citizen, clerk_a):
    case = _concluded(licensing_item, citizen, clerk_a)
    entry = AuditEntry.objects.get(action="licence.issue")
    assert entry.changes["case"] == str(case.pk)


def test_a_company_case_issues_to_the_company(licensing_item, citizen, clerk_a):
    from onewindow.cases import services as case_services
    from onewindow.cases.models import Case
    from onewindow.cases.tests.factories import case_in_state, company_of

    company = company_of(citizen.person)
    case = case_in_state("accepted", user=citizen, item=licensing_item, clerk=clerk_a)
    Case.objects.filter(pk=case.pk).update(company=company)  # filed by its legal representative
    case.refresh_from_db()
    case_services.case_conclude(case=case, actor=clerk_a, code=0, result="许可证")
    licence = Licence.objects.get(case=case)
    assert licence.holder_company == company and licence.holder_code == company.credit_code


def test_a_failing_issue_rolls_the_conclusion_back(licensing_item, citizen, clerk_a):
    from onewindow.cases.models import Case

    # A type stored past the service whose code would break the identifier.
    LicenceType.objects.filter(code="JY1").update(face_fields=[{"key": "x", "source": "form.applicant_name"}])
    LicenceType.objects.filter(code="JY1").update(code="jy1")
    from onewindow.catalogue.models import ItemVersion

    ItemVersion.objects.filter(item=licensing_item).update(licence_type_code="jy1")
    with pytest.raises(DomainError) as refused:
        _concluded(licensing_item, citizen, clerk_a)
    assert refused.value.code == "licence.identifier_invalid"
    assert not Case.objects.filter(status="concluded").exists()


# --- concurrency -----------------------------------------------------------------------------------------


def _at_once(*calls):
    """Run the calls in two threads released together, each on its own database connection."""
    import threading

    from django.db import connection

    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait(timeout=10)
            outcomes.append(call())
        except Exception as error:  # reported by the caller: a thread's exception would otherwise vanish
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_licences_issued_at_once_get_different_serials(committed_db, food_type, holder):  # noqa: F811
    def issue():
        return services.licence_issue(licence_type=food_type, holder_person=holder, face=FACE, actor=None)

    outcomes = _at_once(issue, issue)
    assert all(isinstance(outcome, Licence) for outcome in outcomes), outcomes
    assert len({outcome.serial for outcome in outcomes}) == 2


def test_two_renewals_at_once_make_one_new_version(committed_db, licence, approver_a):  # noqa: F811
    renew = lambda: services.licence_renew(licence=licence, actor=approver_a)  # noqa: E731
    outcomes = _at_once(renew, renew)
    renewed = [outcome for outcome in outcomes if isinstance(outcome, Licence)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(renewed) == 1 and len(refused) == 1, outcomes
    assert refused[0].status == 409
    assert Licence.objects.filter(previous=licence).count() == 1


def test_two_first_issues_at_once_share_one_new_key(committed_db, department_b, holder):  # noqa: F811
    # Two types, so the type's row lock does not already serialise them: the department's lock must.
    kinds = [licence_type(department_b), licence_type(department_b)]
    assert not SigningKey.objects.filter(department=department_b).exists()

    def issuer(kind):
        return lambda: services.licence_issue(licence_type=kind, holder_person=holder, face=FACE, actor=None)

    outcomes = _at_once(issuer(kinds[0]), issuer(kinds[1]))
    assert all(isinstance(outcome, Licence) for outcome in outcomes), outcomes
    assert SigningKey.objects.filter(department=department_b).count() == 1
    assert len({outcome.signing_key_id for outcome in outcomes}) == 1
