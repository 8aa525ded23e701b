"""The daily reconciliation (对账): the platform's ledger against the provider's statement for one day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from onewindow.core import clock
from onewindow.core.services import audit_record
from onewindow.payments.models import LedgerEntry, Reconciliation
from onewindow.payments.services._common import provider


def reconciliation_run(*, day: dt.date, actor: Any | None = None) -> Reconciliation:
    """Compare one day (Asia/Shanghai) line by line — by kind and number — and keep what disagrees: money the
    provider moved that the ledger lacks, ledger entries the provider does not know, different amounts.
    Running a day again replaces its report (a statement may arrive late)."""
    active = provider()
    statement = active.statement(day=day)  # outgoing call: before the transaction
    with transaction.atomic():
        ledger = list(LedgerEntry.objects.filter(provider=active.name, at__date=day))
        ours = {(entry.kind, entry.reference): entry.amount for entry in ledger}
        theirs: dict[tuple[str, str], Decimal] = {}
        for line in statement:
            key = (line.kind, line.reference)
            theirs[key] = theirs.get(key, Decimal("0")) + line.amount
        discrepancies: list[dict[str, str]] = []
        for key in sorted(set(ours) | set(theirs)):
            kind, reference = key
            mine, other = ours.get(key), theirs.get(key)
            if mine is None:
                problem = "missing_in_ledger"
            elif other is None:
                problem = "missing_at_provider"
            elif mine != other:
                problem = "amount_mismatch"
            else:
                continue
            discrepancies.append(
                {
                    "kind": kind,
                    "reference": reference,
                    "problem": problem,
                    "ledger": "" if mine is None else str(mine),
                    "provider": "" if other is None else str(other),
                }
            )
        report, _ = Reconciliation.objects.update_or_create(
            provider=active.name,
            day=day,
            defaults={
                "ran_at": clock.now(),
                "ledger_count": len(ledger),
                "ledger_total": sum(ours.values(), Decimal("0")),
                "statement_count": len(statement),
                "statement_total": sum(theirs.values(), Decimal("0")),
                "discrepancies": discrepancies,
            },
        )
        audit_record(
            actor=actor,
            action="reconciliation.run",
            target=report,
            changes={"day": str(day), "discrepancies": len(discrepancies)},
        )
    return report
