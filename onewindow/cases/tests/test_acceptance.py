"""Single-window acceptance: the case number and query password, refusal with a reason, who may accept, and
two clerks acting at once (exactly one succeeds, the other gets 409 naming the current state)."""

from __future__ import annotations

import importlib
import re
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseStatus, EventAction
from onewindow.cases.selectors import case_track
from onewindow.cases.tests.factories import case_in_state
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(at, citizen, item):
    at("2026-09-29")
    return case_in_state("submitted", user=citizen, item=item)


def test_acceptance_assigns_the_number_password_and_clock(submitted, clerk_a, item):
    accepted = services.case_accept(case=submitted, clerk=clerk_a)
    case = accepted.case
    assert case.number == f"{item.implementation_code}2026092900001"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", accepted.query_password)
    assert accepted.query_password not in case.query_password_hash
    assert (case.status, case.accepted_by, case.version) == (
        CaseStatus.ACCEPTED,
        clerk_a,
        submitted.version + 1,
    )
    assert case_track(case_number=case.number, password=accepted.query_password).status == CaseStatus.ACCEPTED


def test_each_acceptance_of_an_item_on_a_day_takes_the_next_serial(submitted, clerk_a, another_citizen, item):
    other = case_in_state("submitted", user=another_citizen, item=item)
    first = services.case_accept(case=submitted, clerk=clerk_a).case
    second = services.case_accept(case=other, clerk=clerk_a).case
    assert (first.number[-5:], second.number[-5:]) == ("00001", "00002")


def test_acceptance_is_recorded_once_in_the_timeline_and_the_audit_trail(submitted, clerk_a):
    services.case_accept(case=submitted, clerk=clerk_a)
    assert CaseEvent.objects.filter(case=submitted, action=EventAction.ACCEPTED).count() == 1
    assert AuditEntry.objects.filter(action="case.accepted", target_id=str(submitted.pk)).count() == 1


def test_the_applicant_is_told_after_commit(submitted, clerk_a, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_accept(case=submitted, clerk=clerk_a).case
    message = citizen.case_messages.get(event=EventAction.ACCEPTED)
    assert case.number in message.text and "2026-10-12" in message.text


def test_a_refusal_needs_a_reason(submitted, clerk_a):
    with pytest.raises(DomainError) as caught:
        services.case_refuse(case=submitted, clerk=clerk_a, reason="  ")
    assert caught.value.code == "refusal_reason_required"
    case = services.case_refuse(case=submitted, clerk=clerk_a, reason="不属于本部门职权范围")
    assert (case.status, case.refusal_reason) == (CaseStatus.NOT_ACCEPTED, "不属于本部门职权范围")


def test_a_clerk_of_another_department_cannot_accept(submitted, clerk_b):
    with pytest.raises(DomainError) as caught:
        services.case_accept(case=submitted, clerk=clerk_b)
    assert caught.value.status == 403
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.SUBMITTED


def test_an_approver_is_not_a_window_clerk(submitted, approver_a):
    with pytest.raises(DomainError) as caught:
        services.case_accept(case=submitted, clerk=approver_a)
    assert caught.value.status == 403


def test_a_clerk_acting_on_a_stale_copy_gets_409_with_the_current_state(submitted, clerk_a, department_a):
    other_clerk = MembershipFactory(
        user=UserFactory(username="clerk_a2", is_staff=True), department=department_a, role=Role.WINDOW_CLERK
    ).user
    seen_version = submitted.version
    services.case_accept(case=submitted, clerk=clerk_a, expected_version=seen_version)
    with pytest.raises(DomainError) as caught:
        services.case_refuse(
            case=submitted, clerk=other_clerk, reason="材料不全", expected_version=seen_version
        )
    assert (caught.value.status, caught.value.code) == (409, "case_state_conflict")
    assert "已受理" in caught.value.message


def test_the_second_of_two_acceptances_gets_409_naming_the_state(submitted, clerk_a):
    services.case_accept(case=submitted, clerk=clerk_a)
    with pytest.raises(DomainError) as caught:
        services.case_accept(case=submitted, clerk=clerk_a)
    assert (caught.value.status, caught.value.code) == (409, "case_state_conflict")
    assert "“已受理”" in caught.value.message
    assert CaseEvent.objects.filter(case=submitted, action=EventAction.ACCEPTED).count() == 1


_append_only = importlib.import_module("onewindow.core.migrations.0002_audit_append_only")
_calendar_seed = importlib.import_module("onewindow.workdays.migrations.0002_seed_official_calendar")


@pytest.fixture
def committed_db(transactional_db):
    """Data the other threads' connections can see. pytest-django runs such tests after the others; the
    flush that ends them needs the audit table's append-only triggers off (as tests/e2e/conftest.py does)."""
    _calendar_seed.seed(django_apps, None)  # a previous flush may have taken the seeded holiday lists
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            for statement in _append_only.SQLITE_DOWN:
                cursor.execute(statement)


# Real concurrency: two threads, two database connections, released together. On PostgreSQL the second
# blocks on the row lock (SELECT … FOR UPDATE); on SQLite on the database write lock (BEGIN IMMEDIATE).
def test_two_clerks_accepting_at_once_exactly_one_succeeds(
    committed_db, citizen, item, clerk_a, department_a
):
    other_clerk = MembershipFactory(
        user=UserFactory(username="clerk_a2", is_staff=True), department=department_a, role=Role.WINDOW_CLERK
    ).user
    case = case_in_state("submitted", user=citizen, item=item)
    barrier, outcomes = threading.Barrier(2), []

    def accept(clerk):
        try:
            barrier.wait(timeout=10)
            services.case_accept(case=case, clerk=clerk)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append((error.status, error.code, error.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(clerk,)) for clerk in (clerk_a, other_clerk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    status, code, message = next(o for o in outcomes if o != "ok")
    assert (status, code) == (409, "case_state_conflict") and "已受理" in message
    assert Case.objects.get(pk=case.pk).number.endswith("00001")
    assert CaseEvent.objects.filter(case=case, action=EventAction.ACCEPTED).count() == 1


def test_two_cases_of_one_item_accepted_at_once_get_different_serials(
    committed_db, citizen, another_citizen, item, clerk_a, department_a
):
    other_clerk = MembershipFactory(
        user=UserFactory(username="clerk_a2", is_staff=True), department=department_a, role=Role.WINDOW_CLERK
    ).user
    cases = [case_in_state("submitted", user=user, item=item) for user in (citizen, another_citizen)]
    barrier, numbers, errors = threading.Barrier(2), [], []

    def accept(case, clerk):
        try:
            barrier.wait(timeout=10)
            numbers.append(services.case_accept(case=case, clerk=clerk).case.number)
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(cases, (clerk_a, other_clerk), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(number[-5:] for number in numbers) == ["00001", "00002"]
