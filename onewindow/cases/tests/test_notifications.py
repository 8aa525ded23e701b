"""Notifications: the in-site message, SMS and e-mail per state change, each channel in the delivery log
(masked, never the plain phone number), retries with pauses on a failing gateway, the texts, and who may
read the log."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import (
    CaseMessage,
    DeliveryStatus,
    EventAction,
    NotificationChannel,
    NotificationDelivery,
)
from onewindow.cases.notifications import (
    deliveries_retry_due,
)
from onewindow.cases.tests.factories import case_extend_approved, case_in_state, material_of
from onewindow.core.errors import DomainError
from onewindow.core.plugins import plugins_reset
from onewindow.identity.sms import SandboxSmsGateway

PHONE = "13900000001"  # tests.factories.person(1)


class FailingSms:
    """A gateway that is down until ``recover()``."""

    up = False
    sent: list[str] = []

    def send(self, *, phone: str, text: str) -> str:
        if not FailingSms.up:
            raise DomainError(code="sms.unavailable", message="短信网关不可用。", status=503)
        FailingSms.sent.append(text)
        return "gw-42"


@pytest.fixture
def failing_sms(settings):
    FailingSms.up = False
    FailingSms.sent = []
    settings.ONEWINDOW_PLUGINS = {**settings.ONEWINDOW_PLUGINS, "sms": f"{__name__}.FailingSms"}
    plugins_reset()
    yield FailingSms
    plugins_reset()


@pytest.fixture(autouse=True)
def sandbox_sms():
    plugins_reset()
    yield
    plugins_reset()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the after-commit notifications of what happens inside the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def deliveries(case, channel):
    return NotificationDelivery.objects.filter(case=case, channel=channel)


def test_a_state_change_writes_the_message_and_sends_an_sms(committed, at, citizen, item):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)

    message = CaseMessage.objects.get(case=case, event=EventAction.SUBMITTED)
    sms = deliveries(case, NotificationChannel.SMS).get(event=EventAction.SUBMITTED)
    site = deliveries(case, NotificationChannel.SITE).get(event=EventAction.SUBMITTED)
    assert "已提交" in message.text
    assert site.status == DeliveryStatus.SENT
    assert sms.status == DeliveryStatus.SENT
    assert sms.attempts == 1
    assert sms.recipient == "139****0001"
    assert sms.provider_message_id.startswith("sandbox-")
    assert sms.text == ""  # erased once sent
    assert SandboxSmsGateway.last_message(PHONE) == message.text


def test_no_email_channel_without_an_address(committed, at, citizen, item):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)

    assert not deliveries(case, NotificationChannel.EMAIL).exists()


def test_an_email_goes_to_a_user_with_an_address(committed, at, citizen, item):
    citizen.email = "zhangsan@example.com"
    citizen.save()

    with committed():
        case = case_in_state("submitted", user=citizen, item=item)

    email = deliveries(case, NotificationChannel.EMAIL).get(event=EventAction.SUBMITTED)
    assert email.status == DeliveryStatus.SENT
    assert email.recipient == "z***@example.com"
    assert mail.outbox[-1].to == ["zhangsan@example.com"]
    assert "已提交" in mail.outbox[-1].body


def test_the_log_never_holds_the_plain_phone_number(committed, at, citizen, item, failing_sms):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)
    assert deliveries(case, NotificationChannel.SMS).get().status == DeliveryStatus.QUEUED

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_notificationdelivery")
        rows = repr(cursor.fetchall())

    assert PHONE not in rows
    assert "已提交" not in rows  # the waiting text is encrypted


def test_a_failing_gateway_is_retried_after_a_pause(committed, at, citizen, item, failing_sms):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)
    sms = deliveries(case, NotificationChannel.SMS).get()
    assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.QUEUED, 1, "短信网关不可用。")
    assert CaseMessage.objects.filter(case=case).count() == 1  # the in-site message does not wait

    assert deliveries_retry_due() == 0  # the pause is not over
    at("2026-09-29", 11)
    failing_sms.up = True
    assert deliveries_retry_due() == 1

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.provider_message_id) == (DeliveryStatus.SENT, 2, "gw-42")
    assert failing_sms.sent == [CaseMessage.objects.get(case=case).text]


def test_a_delivery_gives_up_after_the_last_attempt(committed, at, citizen, item, failing_sms, settings):
    settings.ONEWINDOW_NOTIFY_MAX_ATTEMPTS = 3
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)
    for hour in (12, 15, 18):
        at("2026-09-29", hour)
        deliveries_retry_due()

    sms = deliveries(case, NotificationChannel.SMS).get()
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 3)
    assert sms.next_attempt_at is None
    assert sms.text == ""


def test_acceptance_sms_carries_the_number_and_password_but_the_message_does_not(
    committed, at, citizen, item, clerk_a
):
    submitted = case_in_state("submitted", user=citizen, item=item)
    with committed():
        accepted = services.case_accept(case=submitted, clerk=clerk_a)
    case = accepted.case

    sms = SandboxSmsGateway.last_message(PHONE)
    assert case.number in sms and accepted.query_password in sms
    assert all(accepted.query_password not in m.text for m in CaseMessage.objects.filter(case=case))


def test_correction_message_lists_the_materials(committed, at, citizen, item, clerk_a):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)
    with committed():
        services.case_correction_request(
            case=case,
            clerk=clerk_a,
            problems=[
                (material_of(item, "id-card"), "复印件不清晰"),
                (material_of(item, "application-form"), "缺少签名"),
            ],
        )

    text = CaseMessage.objects.get(case=case, event=EventAction.CORRECTION_REQUESTED).text
    assert "居民身份证（复印件不清晰）" in text and "申请表（缺少签名）" in text


def test_refusal_message_gives_the_reason(committed, at, citizen, item, clerk_a):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)
    with committed():
        services.case_refuse(case=case, clerk=clerk_a, reason="不属于本部门职权范围")

    assert "不属于本部门职权范围" in CaseMessage.objects.get(case=case, event=EventAction.NOT_ACCEPTED).text


def test_extension_message_gives_the_reason_and_the_new_due_date(
    committed, at, citizen, item, clerk_a, approver_a, head_a
):
    with committed():
        case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    with committed():
        case_extend_approved(
            case,
            requester=approver_a,
            head=head_a,
            working_days=10,
            reason="需补充专家意见",
            basis="第四十二条",
        )
    case.refresh_from_db()

    text = CaseMessage.objects.get(case=case, event=EventAction.EXTENDED).text
    assert "需补充专家意见" in text and str(case.due_on) in text


def test_every_later_state_sends_a_message(committed, at, citizen, item, clerk_a, reviewer_a, approver_a):
    with committed():
        case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    with committed():
        services.case_suspend(
            case=case,
            actor=reviewer_a,
            kind="testing",
            reason="送检",
            basis="第四十五条",
            expected_working_days=3,
        )
        services.case_resume(case=case, actor=reviewer_a)
        services.case_conclude(case=case, actor=approver_a, code=0, result="许可证 001")
        services.case_deliver(case=case, actor=clerk_a, method="electronic")

    events = set(CaseMessage.objects.filter(case=case).values_list("event", flat=True))
    assert {"suspended", "resumed", "concluded", "delivered"} <= events
    sms_sent = deliveries(case, NotificationChannel.SMS).filter(status=DeliveryStatus.SENT)
    assert {"suspended", "resumed", "concluded", "delivered"} <= set(sms_sent.values_list("event", flat=True))


# --- the delivery log over the API ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("citizen", 200), ("clerk_a", 200), ("another_citizen", 404), ("clerk_b", 403)],
)
def test_delivery_log_permission_matrix(committed, request, at, client_as, citizen, item, who, status):
    with committed():
        case = case_in_state("submitted", user=citizen, item=item)

    response = client_as(request.getfixturevalue(who)).get(f"/api/v1/cases/{case.pk}/notifications")

    assert response.status_code == status
    if status == 200:
        channels = {row["channel"]["code"] for row in response.json()}
        assert channels == {"site", "sms"}
        assert PHONE not in response.content.decode()
