"""Notifications through the transactional outbox (core.queue): queued in the transaction of the change, sent
once however often the task runs, and no secret or personal data in clear in the task table."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from onewindow.cases import services
from onewindow.cases.models import CaseMessage, EventAction, NotificationChannel, NotificationDelivery
from onewindow.cases.tasks import case_notify
from onewindow.cases.tests.factories import case_in_state
from onewindow.core.plugins import plugins_reset

PHONE = "13900000001"  # tests.factories.person(1)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class CountingSms:
    """Records every message it is asked to send."""

    sent: list[str] = []

    def send(self, *, phone: str, text: str) -> str:
        CountingSms.sent.append(text)
        return f"gw-{len(CountingSms.sent)}"


@pytest.fixture
def counting_sms(settings):
    CountingSms.sent = []
    settings.ONEWINDOW_PLUGINS = {**settings.ONEWINDOW_PLUGINS, "sms": f"{__name__}.CountingSms"}
    plugins_reset()
    yield CountingSms
    plugins_reset()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def queued(event: str) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=case_notify.module_path, args_kwargs__kwargs__event=event)


def run(result: DBTaskResult) -> None:
    result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


def test_the_notification_is_queued_inside_the_transaction_of_the_change(database_queue, at, citizen, item):
    case = case_in_state("submitted", user=citizen, item=item)
    result = queued(EventAction.SUBMITTED)
    assert result.args_kwargs["kwargs"]["case_id"] == str(case.pk)
    assert result.args_kwargs["kwargs"]["case_event_id"]


def test_a_change_that_rolls_back_queues_nothing(database_queue, at, citizen, item):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_in_state("submitted", user=citizen, item=item)
        assert DBTaskResult.objects.filter(task_path=case_notify.module_path).exists()
        raise RuntimeError("the request failed after the submit")
    assert not DBTaskResult.objects.filter(task_path=case_notify.module_path).exists()


def test_a_notification_task_that_runs_twice_sends_once(database_queue, at, citizen, item, counting_sms):
    case = case_in_state("submitted", user=citizen, item=item)
    result = queued(EventAction.SUBMITTED)

    run(result)
    run(result)

    assert len(counting_sms.sent) == 1
    assert CaseMessage.objects.filter(case=case, event=EventAction.SUBMITTED).count() == 1
    assert NotificationDelivery.objects.filter(case=case, channel=NotificationChannel.SMS).count() == 1


def test_the_acceptance_task_row_holds_neither_the_query_password_nor_the_phone(
    database_queue, at, citizen, item, clerk_a, counting_sms
):
    case = case_in_state("submitted", user=citizen, item=item)
    password = services.case_accept(case=case, clerk=clerk_a).query_password  # shown once to the clerk
    result = queued(EventAction.ACCEPTED)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT args_kwargs FROM {DBTaskResult._meta.db_table}")  # noqa: S608
        stored = repr(cursor.fetchall())
    assert result.args_kwargs["kwargs"]["sealed_password"]  # there, but encrypted
    assert password not in stored
    assert PHONE not in stored

    run(result)
    assert password in counting_sms.sent[-1]
