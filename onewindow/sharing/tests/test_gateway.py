"""The query gateway and its signed access log: only approved fields for the approved purpose, refusals
logged, and an edited, removed or reordered entry found by ``onewindow sharing_log_verify``."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.sharing import services
from onewindow.sharing.access_log import log_verify
from onewindow.sharing.models import AccessLogEntry, ApprovalStatus, QueryOutcome
from onewindow.sharing.tests.conftest import COMPANY_CODE, PERSON_ID, PURPOSE

pytestmark = pytest.mark.django_db


def _ask(resource, consumer, *, fields, purpose=PURPOSE, subject=COMPANY_CODE, official=None):
    return services.shared_data_query(
        resource=resource,
        consumer=consumer,
        official=official,
        purpose=purpose,
        subject=subject,
        fields=fields,
    )


def test_an_approved_query_answers_only_the_fields_asked(approved, market, department_b, clerk_b):
    answer = _ask(market, department_b, fields=["name", "status"], official=clerk_b)
    assert answer.record == {"name": "福州市测试1有限公司", "status": "存续"}
    entry = AccessLogEntry.objects.get()
    assert entry.outcome == QueryOutcome.ANSWERED
    assert (entry.consumer, entry.official, entry.purpose) == (department_b, clerk_b, PURPOSE)
    assert entry.fields_given == ["name", "status"]
    assert entry.reference == answer.reference and entry.reference.startswith("GX")


def test_a_person_is_logged_by_the_keyed_hash_of_their_id_number_never_the_number(
    approved, population, department_b
):
    _ask(population, department_b, fields=["name"], subject=PERSON_ID)
    entry = AccessLogEntry.objects.get()
    assert PERSON_ID not in entry.subject_key and len(entry.subject_key) == 64


@pytest.mark.parametrize(
    ("fields", "purpose"),
    [(["address"], PURPOSE), (["name", "address"], PURPOSE), (["name"], "营销推广"), (["name"], "")],
)
def test_a_query_outside_the_approval_is_refused_403_and_logged(
    approved, market, department_b, fields, purpose
):
    with pytest.raises(DomainError) as refused:
        _ask(market, department_b, fields=fields, purpose=purpose)
    assert (refused.value.status, refused.value.code) == (403, "sharing.outside_approval")
    entry = AccessLogEntry.objects.get()
    assert entry.outcome == QueryOutcome.REFUSED and entry.fields_given == []


def test_a_department_without_any_approval_is_refused(market, department_a, registry_files):
    with pytest.raises(DomainError) as refused:
        _ask(market, department_a, fields=["name"])
    assert refused.value.status == 403
    assert AccessLogEntry.objects.filter(outcome=QueryOutcome.REFUSED).count() == 1


def test_a_revoked_approval_lets_nothing_through(approved, market, department_b, admin_a):
    services.approval_revoke(actor=admin_a, approval=approved[0], reason="使用部门超范围使用")
    with pytest.raises(DomainError, match="授权"):
        _ask(market, department_b, fields=["name"])


def test_an_expired_approval_lets_nothing_through(approved, market, department_b, monkeypatch):
    later = clock.today() + dt.timedelta(days=400)
    monkeypatch.setattr(clock, "today", lambda: later)
    with pytest.raises(DomainError, match="授权"):
        _ask(market, department_b, fields=["name"])


def test_no_record_and_a_stopped_registry_are_told_apart_and_logged(approved, market, department_b, settings):
    from tests.factories import valid_credit_code

    with pytest.raises(DomainError) as missing:
        _ask(market, department_b, fields=["name"], subject=valid_credit_code(7, region="350102")[:-1] + "X")
    assert missing.value.code in {"sharing.no_record", "sharing.subject_invalid"}
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = ["market"]
    with pytest.raises(DomainError) as down:
        _ask(market, department_b, fields=["name"])
    assert (down.value.status, down.value.code) == (503, "sharing.registry_unavailable")
    assert AccessLogEntry.objects.order_by("-seq").first().outcome == QueryOutcome.UNAVAILABLE


# --- approvals ----------------------------------------------------------------------------------------------


def test_a_conditional_resource_waits_for_the_provider_and_a_refusal_needs_a_reason(
    population, department_b, admin_a, admin_b
):
    approval = services.approval_request(
        actor=admin_b, resource=population, consumer=department_b, fields=["name"], purpose="户籍核验"
    )
    assert approval.status == ApprovalStatus.REQUESTED
    with pytest.raises(DomainError, match="理由"):
        services.approval_decide(actor=admin_a, approval=approval, approve=False)
    assert (
        services.approval_decide(actor=admin_a, approval=approval, approve=True).status
        == ApprovalStatus.APPROVED
    )


def test_only_the_providers_administrator_decides(population, department_b, admin_b):
    approval = services.approval_request(
        actor=admin_b, resource=population, consumer=department_b, fields=["name"], purpose="户籍核验"
    )
    with pytest.raises(DomainError) as refused:
        services.approval_decide(actor=admin_b, approval=approval, approve=True)
    assert refused.value.status == 403


def test_an_unconditional_resource_is_granted_on_registration(market, department_b, admin_b):
    approval = services.approval_request(
        actor=admin_b, resource=market, consumer=department_b, fields=["name"], purpose="核验"
    )
    assert approval.status == ApprovalStatus.APPROVED


def test_a_resource_not_shared_cannot_be_applied_for(market, department_b, admin_b):
    market.sharing_class = "not_shared"
    market.save()
    with pytest.raises(DomainError, match="不予共享"):
        services.approval_request(
            actor=admin_b, resource=market, consumer=department_b, fields=["name"], purpose="核验"
        )


def test_unknown_fields_are_refused_when_applying(market, department_b, admin_b):
    with pytest.raises(DomainError, match="没有这些数据项"):
        services.approval_request(
            actor=admin_b, resource=market, consumer=department_b, fields=["salary"], purpose="核验"
        )


# --- the signed log -------------------------------------------------------------------------------------------


@pytest.fixture
def three_entries(approved, market, department_b):
    for fields in (["name"], ["status"], ["address"]):
        with contextlib.suppress(DomainError):
            _ask(market, department_b, fields=fields)
    return list(AccessLogEntry.objects.order_by("seq"))


def test_an_untouched_log_verifies(three_entries, capsys):
    assert log_verify().ok
    call_command("sharing_log_verify")
    assert "3 entries" in capsys.readouterr().out


def test_an_edited_entry_is_detected(three_entries):
    AccessLogEntry.objects.filter(seq=2).update(purpose="篡改后的用途")
    with pytest.raises(CommandError, match=r"entry 2 .* changed"):
        call_command("sharing_log_verify")


def test_a_removed_entry_is_detected(three_entries):
    AccessLogEntry.objects.filter(seq=2).delete()
    assert "missing" in log_verify().problem


def test_a_removed_last_entry_is_detected(three_entries):
    AccessLogEntry.objects.filter(seq=3).delete()
    assert "head" in log_verify().problem


def test_reordered_entries_are_detected(three_entries):
    first, second = three_entries[0], three_entries[1]
    AccessLogEntry.objects.filter(seq=2).delete()
    AccessLogEntry.objects.filter(seq=1).delete()
    for entry, seq in ((second, 1), (first, 2)):
        entry.seq = seq
        entry.save(force_insert=True)
    assert "reordered" in log_verify().problem or "changed" in log_verify().problem


def test_a_forged_signature_is_detected(three_entries):
    AccessLogEntry.objects.filter(seq=1).update(signature="AAAA" + three_entries[0].signature[4:])
    assert "signature" in log_verify().problem
