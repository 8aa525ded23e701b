"""Alerts are acknowledged, turned into supervision orders (督办单) with a reply deadline in working days,
answered by the department and closed by the supervisor; the wrong people are refused and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.cases.models import CorrectionRequest
from onewindow.cases.services import case_correction_request
from onewindow.cases.tests.factories import case_in_state, case_item, material_of
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.supervision import services
from onewindow.supervision.models import (
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    OrderStatus,
    SupervisionOrder,
)
from onewindow.supervision.scan import supervision_scan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def red_alert(accepted):
    accepted(dt.date(2026, 11, 2))
    supervision_scan(today=TODAY)
    return Alert.objects.get(kind=AlertKind.CASE, level=AlertLevel.RED)


def test_the_journey_acknowledge_order_reply_close(red_alert, supervisor, officer_a):
    alert = services.alert_acknowledge(alert=red_alert, actor=supervisor)
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == supervisor

    order = services.order_issue(
        alert=alert, actor=supervisor, instruction="请于 5 个工作日内办结并说明逾期原因。"
    )
    assert order.number == "DB202611160001"
    assert order.reply_due_on == dt.date(2026, 11, 23)  # 5 working days after Monday 16 November
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ORDERED

    order = services.order_reply(order=order, actor=officer_a, reply="已于今日办结，逾期原因系现场核查延误。")
    assert order.status == OrderStatus.REPLIED and order.replied_by == officer_a

    order = services.order_close(order=order, actor=supervisor, note="同意办结")
    assert order.status == OrderStatus.CLOSED
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.CLOSED
    actions = set(
        AuditEntry.objects.filter(action__startswith="supervision.").values_list("action", flat=True)
    )
    assert {"supervision.alert_acknowledge", "supervision.order_issue", "supervision.order_reply",
            "supervision.order_close"} <= actions  # fmt: skip


def test_only_a_supervisor_in_scope_may_act_on_an_alert(red_alert, clerk_a):
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(alert=red_alert, actor=clerk_a)
    with pytest.raises(PermissionDenied):
        services.order_issue(alert=red_alert, actor=clerk_a, instruction="x")
    assert Alert.objects.get(pk=red_alert.pk).status == AlertStatus.OPEN
    assert not SupervisionOrder.objects.exists()


def test_another_department_cannot_reply_to_the_order(red_alert, supervisor, clerk_b):
    order = services.order_issue(alert=red_alert, actor=supervisor, instruction="请说明逾期原因。")
    with pytest.raises(PermissionDenied):
        services.order_reply(order=order, actor=clerk_b, reply="不是我们的")
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED


def test_an_empty_instruction_or_reply_is_refused(red_alert, supervisor, officer_a):
    with pytest.raises(DomainError) as caught:
        services.order_issue(alert=red_alert, actor=supervisor, instruction="  ")
    assert caught.value.code == "order_instruction_required"
    order = services.order_issue(alert=red_alert, actor=supervisor, instruction="请说明逾期原因。")
    with pytest.raises(DomainError) as caught:
        services.order_reply(order=order, actor=officer_a, reply="")
    assert caught.value.code == "order_reply_required"


def test_an_order_is_closed_only_after_the_reply_and_issued_once(red_alert, supervisor):
    order = services.order_issue(alert=red_alert, actor=supervisor, instruction="请说明逾期原因。")
    with pytest.raises(DomainError) as caught:
        services.order_close(order=order, actor=supervisor)
    assert caught.value.code == "order_not_replied"
    with pytest.raises(DomainError) as caught:
        services.order_issue(alert=red_alert, actor=supervisor, instruction="再次督办")
    assert caught.value.code == "order_exists"
    with pytest.raises(DomainError) as caught:
        services.alert_close(alert=red_alert, actor=supervisor)
    assert caught.value.code == "alert_order_open"


def test_a_correction_naming_a_material_outside_the_guide_is_refused_and_logged(
    citizen, item, clerk_a, department_a
):
    submitted = case_in_state("submitted", user=citizen, item=item)
    other = case_item(department=department_a, name="另一事项")
    with pytest.raises(DomainError) as caught:
        case_correction_request(
            case=submitted, clerk=clerk_a, problems=[(material_of(other, "application-form"), "另需提交")]
        )
    assert caught.value.code == "correction_material_not_in_guide"
    assert not CorrectionRequest.objects.exists()
    breach = Alert.objects.get(kind=AlertKind.OUT_OF_GUIDE)
    assert breach.level == AlertLevel.BREACH
    assert breach.person == clerk_a and breach.department == department_a and breach.case_id == submitted.pk
    assert "申请表" in breach.detail or breach.detail.startswith("补正告知列出了指南以外的材料")


def test_a_denial_recorded_while_steps_are_open_is_a_breach_naming_who_recorded_it(accepted, approver_a):
    from onewindow.cases.models import ConclusionCode
    from onewindow.cases.services import case_conclude, case_process_start

    case = accepted(dt.date(2026, 12, 31))
    if case.status == "accepted":
        case = case_process_start(case=case, actor=approver_a)
    case_conclude(case=case, actor=approver_a, code=ConclusionCode.DENIED, result="", reason="材料不实")
    breach = Alert.objects.get(kind=AlertKind.OFF_PLATFORM)
    assert breach.person == approver_a and "承办" in breach.detail
