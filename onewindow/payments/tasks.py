"""Payment background jobs: expiring unpaid orders, and the daily reconciliation of the day before."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from onewindow.core import clock
from onewindow.payments.services import payment_orders_expire, reconciliation_run


@task()
def payment_orders_expire_job() -> int:
    """Every 5 minutes: unfinished orders older than 90 minutes fail as expired."""
    return payment_orders_expire()


@task()
def reconciliation_daily_job() -> int:
    """Daily: reconcile yesterday's ledger with the provider's statement; the number of discrepancies."""
    return len(reconciliation_run(day=clock.today() - dt.timedelta(days=1)).discrepancies)
