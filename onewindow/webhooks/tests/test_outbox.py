"""The outbox: an event and its deliveries are written in the transaction of the change, or not at all; a
delivery is signed, retried with back-off, logged attempt by attempt, and given up only after many hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from onewindow.core.errors import DomainError
from onewindow.webhooks import services
from onewindow.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEvent
from onewindow.webhooks.signing import signature_compute, signature_verify
from onewindow.webhooks.transports import Response
from onewindow.workflow.models import WorkTask

pytestmark = pytest.mark.django_db


class Scripted:
    """A transport answering from a script of statuses (None: unreachable), recording what it was sent."""

    def __init__(self, *statuses):
        self.statuses = list(statuses)
        self.sent = []

    def post(self, *, url, body, headers, timeout):
        self.sent.append({"url": url, "body": body, "headers": headers})
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(status, "" if status else "ConnectionRefusedError")


@pytest.fixture
def transport(monkeypatch):
    scripted = Scripted()
    monkeypatch.setattr(services, "plugin", lambda kind: scripted)
    return scripted


def test_a_new_task_writes_an_event_and_a_delivery_with_the_change(subscribe, start):
    subscribe(events=["task.created"])

    instance = start()

    (task,) = WorkTask.objects.filter(instance=instance)
    event = WebhookEvent.objects.get(event_type="task.created")
    assert event.payload["data"]["task"]["id"] == str(task.pk)
    assert event.payload["data"]["case"]["number"] == instance.case.number
    assert WebhookDelivery.objects.get(event=event).status == DeliveryStatus.PENDING


def test_case_events_follow_the_status(subscribe, start):
    subscribe(events=["case.accepted", "case.in_process"])

    start()

    assert set(WebhookEvent.objects.values_list("event_type", flat=True)) <= {
        "case.accepted",
        "case.in_process",
    }
    assert WebhookEvent.objects.filter(event_type="case.accepted").exists()


def test_nothing_is_written_for_a_change_that_rolls_back(subscribe, start):
    subscribe()

    with pytest.raises(RuntimeError), transaction.atomic():
        start()
        assert WebhookEvent.objects.exists()
        raise RuntimeError("the change fails after the event was written")

    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_no_subscription_no_event(start):
    start()

    assert not WebhookEvent.objects.exists()


def test_another_departments_subscription_gets_nothing(subscribe, start, department_b):
    subscribe(department=department_b, events=["case.accepted"])

    start()

    assert not WebhookEvent.objects.filter(event_type="case.accepted").exists()


def test_a_delivery_is_signed_over_the_timestamp_and_the_body(subscribe, start, transport, at):
    _subscription, secret = subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()

    services.delivery_send(delivery_id=delivery.pk, lease=delivery.next_attempt_at)

    (sent,) = transport.sent
    headers = sent["headers"]
    timestamp = int(headers["X-Onewindow-Timestamp"])
    assert headers["X-Onewindow-Signature"] == signature_compute(
        secret=secret, timestamp=timestamp, body=sent["body"]
    )
    assert signature_verify(
        secret=secret,
        timestamp=timestamp,
        body=sent["body"],
        signature=headers["X-Onewindow-Signature"],
        now=timestamp,
    )
    assert headers["X-Onewindow-Event-Id"] == str(delivery.event_id)
    assert headers["X-Onewindow-Event"] == "task.created"
    # A replay an hour later is refused by the receiver's timestamp check.
    assert not signature_verify(
        secret=secret,
        timestamp=timestamp,
        body=sent["body"],
        signature=headers["X-Onewindow-Signature"],
        now=timestamp + 3600,
    )


def test_a_failed_delivery_is_retried_with_growing_pauses(subscribe, start, transport, at, settings):
    settings.ONEWINDOW_WEBHOOK_RETRY_BASE_SECONDS = 30
    transport.statuses = [503, None, 500, 200]
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()

    pauses = []
    lease = delivery.next_attempt_at  # the first send is the one queued with the change
    for _ in range(3):
        services.delivery_send(delivery_id=delivery.pk, lease=lease)
        lease = None  # the retries are sent when due
        delivery.refresh_from_db()
        pauses.append((delivery.next_attempt_at - at.moment).total_seconds())
        # Not due yet: a send now does nothing.
        assert services.delivery_send(delivery_id=delivery.pk) is None
        at.moves(seconds=pauses[-1])
    services.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert pauses == [30, 60, 120]
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)) == [
        503,
        None,
        500,
        200,
    ]


def test_retries_go_on_for_hours_before_giving_up(subscribe, start, transport, at, settings):
    transport.statuses = [503] * 100
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    began = at.moment
    at.moment = delivery.next_attempt_at  # (the queued send lost: the job sends it once its lease ends)

    while delivery.status == DeliveryStatus.PENDING:
        services.delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            at.moment = delivery.next_attempt_at

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == settings.ONEWINDOW_WEBHOOK_MAX_ATTEMPTS
    assert at.moment - began > dt.timedelta(hours=12)


def test_a_delivery_left_by_a_dead_worker_is_sent_again_after_its_lease(
    subscribe, start, transport, at, settings, django_capture_on_commit_callbacks
):
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    # A worker claims it and dies before sending: nothing is logged, the lease holds it.
    assert services._claim(delivery.pk, delivery.next_attempt_at) is not None
    assert services.deliveries_due_enqueue() == 0

    at.moves(seconds=settings.ONEWINDOW_WEBHOOK_SEND_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.deliveries_due_enqueue()

    delivery.refresh_from_db()
    assert queued == 1
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(transport.sent) == 1


def test_a_send_waiting_in_a_backed_up_queue_is_queued_again_once_its_lease_ends_not_every_minute(
    subscribe, start, transport, at, settings, django_capture_on_commit_callbacks
):
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    first_lease = delivery.next_attempt_at
    # The workers are ten minutes behind: the every-minute job leaves the queued send alone.
    for _ in range(10):
        at.moves(seconds=60)
        assert services.deliveries_due_enqueue() == 0

    # The send was lost: once its lease has ended, the job queues exactly one more.
    at.moves(seconds=settings.ONEWINDOW_WEBHOOK_QUEUE_LEASE_SECONDS)
    with django_capture_on_commit_callbacks() as queued:
        assert services.deliveries_due_enqueue() == 1
    assert services.deliveries_due_enqueue() == 0

    # Should the first send turn up after all, it does nothing; the one queued again sends the event once.
    assert services.delivery_send(delivery_id=delivery.pk, lease=first_lease) is None
    for send in queued:
        send()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(transport.sent) == 1


def test_redeliver_sends_the_same_event_again(
    subscribe, start, transport, platform_admin, django_capture_on_commit_callbacks
):
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    services.delivery_send(delivery_id=delivery.pk, lease=delivery.next_attempt_at)

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(actor=platform_admin, delivery=delivery)

    assert [s["headers"]["X-Onewindow-Event-Id"] for s in transport.sent] == [str(delivery.event_id)] * 2
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_only_administrators_subscribe(system, clerk_a, department_a):
    with pytest.raises(DomainError) as refused:
        services.subscription_create(
            actor=clerk_a,
            application=system,
            department=department_a,
            url="https://x.example/h",
            events=["*"],
        )

    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://x.example/h", ["task.created"], "url"),
        ("https://x.example/h", [], "events"),
        ("https://x.example/h", ["case.exploded"], "events"),
    ],
)
def test_a_bad_subscription_is_refused_field_by_field(subscribe, url, events, field):
    with pytest.raises(DomainError) as refused:
        subscribe(url=url, events=events)

    assert [problem.field for problem in refused.value.problems] == [field]
