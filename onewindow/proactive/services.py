"""Writes of the proactive services: the daily generation of what is due (once per person, rule, subject and
date — the unique constraint makes a second run a no-op), its SMS when the person opted in, the person's
choices per kind, and dismissing a recommendation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue.models import Bundle, Item
from onewindow.core import clock
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.hashing import sm3_hex
from onewindow.core.plugins import plugin
from onewindow.core.services import audit_record
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.proactive.models import Preference, Recommendation, RecommendationKind
from onewindow.proactive.rules import Rule, rules_load

logger = logging.getLogger(__name__)
SMS_PREFIX = "【一网通办】"


@dataclass(frozen=True)
class Due:
    """One due event found by a rule, before it is recorded."""

    user: Any
    phone: str
    subject: str
    due_on: dt.date
    child: str = ""


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March in a common year
        return dt.date(born.year + years, 3, 1)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _licence_holder(licence: Licence) -> tuple[Any, str]:
    person = licence.holder_person
    if person is None and licence.holder_company is not None:
        person = licence.holder_company.legal_representative
    if person is None:
        return None, ""
    return person.user, person.phone or ""


def _expiring(rule: Rule, today: dt.date) -> Iterator[Due]:
    licences = Licence.objects.filter(
        status=LicenceStatus.VALID,
        licence_type__code=rule.licence_type,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=rule.days_before),
    ).select_related("holder_person__user", "holder_company__legal_representative__user")
    for licence in licences:
        user, phone = _licence_holder(licence)
        if user is not None and licence.valid_until is not None:
            yield Due(user=user, phone=phone, subject=f"licence:{licence.pk}", due_on=licence.valid_until)


def _child_due(rule: Rule, today: dt.date, user: Any, phone: str, facts: dict[str, Any]) -> Due | None:
    born = _date(facts.get(rule.birth_date_field))
    if born is None:
        return None
    birthday = _birthday(born, rule.child_age)
    if not today <= birthday <= today + dt.timedelta(days=rule.days_before):
        return None
    child = str(facts.get(rule.child_name_field, "") or "") if rule.child_name_field else ""
    # The same child may be known from a birth certificate and a birth-registration case: one subject.
    subject = "child:" + sm3_hex(f"{user.pk}|{child}|{born.isoformat()}")[:40]
    return Due(user=user, phone=phone, subject=subject, due_on=birthday, child=child)


def _children(rule: Rule, today: dt.date) -> Iterator[Due]:
    # A child reaching the age in the window was born after this day; nothing about them predates it.
    earliest = _birthday(today, -rule.child_age) - dt.timedelta(days=1)
    if rule.birth_licence_type:
        licences = Licence.objects.filter(
            status=LicenceStatus.VALID,
            licence_type__code=rule.birth_licence_type,
            holder_person__isnull=False,
            issued_on__gte=earliest,  # issued at or after the birth
        ).select_related("holder_person__user")
        for licence in licences:
            assert licence.holder_person is not None
            person = licence.holder_person
            if due := _child_due(rule, today, person.user, person.phone or "", licence.face or {}):
                yield due
    if rule.birth_items:
        # The form answers are encrypted, so the birth date is read in Python; the filing date bounds the rows.
        cases = Case.objects.filter(
            item__implementation_code__in=rule.birth_items,
            status__in=[CaseStatus.CONCLUDED, CaseStatus.DELIVERED],
            submitted_at__date__gte=earliest,
        ).select_related("applicant__user")
        for case in cases:
            applicant = case.applicant
            if due := _child_due(rule, today, applicant.user, applicant.phone or "", case.form_data or {}):
                yield due


def _preference(user: Any, kind: str) -> Preference:
    return Preference.objects.filter(user=user, kind=kind).first() or Preference(user=user, kind=kind)


def _record(
    rule: Rule, due: Due, items: dict[str, Item], bundles: dict[str, Bundle]
) -> Recommendation | None:
    values = {"due_on": due.due_on.isoformat(), "child": due.child or "您的孩子"}
    try:
        with transaction.atomic():
            recommendation, created = Recommendation.objects.get_or_create(
                user=due.user,
                rule_key=rule.key,
                subject=due.subject,
                due_on=due.due_on,
                defaults={
                    "kind": rule.kind,
                    "title": rule.title,
                    "detail": rule.detail.format(**values)[:300],
                    "item": items.get(rule.item),
                    "bundle": bundles.get(rule.bundle),
                },
            )
            if created:
                audit_record(
                    actor=None,
                    action="proactive.recommend",
                    target=recommendation,
                    changes={"rule": rule.key, "due_on": due.due_on.isoformat()},
                )
    except IntegrityError:  # another run recorded it at the same moment
        return None
    return recommendation if created else None


def _sms(recommendation: Recommendation, phone: str) -> None:
    """At most one SMS per recommendation: the row is claimed before sending and released on failure."""
    claimed = Recommendation.objects.filter(pk=recommendation.pk, sms_sent_at__isnull=True).update(
        sms_sent_at=clock.now()
    )
    if not claimed:
        return
    try:
        plugin("sms").send(phone=phone, text=f"{SMS_PREFIX}{recommendation.title}。{recommendation.detail}")
    except Exception:  # a gateway failure must not stop the others; the next run tries again
        logger.warning("proactive SMS failed for %s", recommendation.pk, exc_info=True)
        Recommendation.objects.filter(pk=recommendation.pk).update(sms_sent_at=None)


def recommendations_generate(*, today: dt.date | None = None) -> int:
    """Record what is due for everyone under every rule (the daily job); returns how many were new.
    A person who opted out of a kind gets nothing of it; one who opted in to SMS gets one SMS per event."""
    today = today or clock.today()
    rules = rules_load()
    items = Item.objects.in_bulk([r.item for r in rules if r.item], field_name="implementation_code")
    bundles = Bundle.objects.in_bulk([r.bundle for r in rules if r.bundle], field_name="code")
    created = 0
    for rule in rules:
        found = (
            _expiring(rule, today)
            if rule.kind == RecommendationKind.LICENCE_EXPIRY
            else _children(rule, today)
        )
        for due in found:
            preference = _preference(due.user, rule.kind)
            if not preference.in_site:
                continue
            recommendation = _record(rule, due, items, bundles)
            if recommendation is not None:
                created += 1
            if preference.sms and due.phone:
                pending = Recommendation.objects.filter(
                    user=due.user, rule_key=rule.key, subject=due.subject, due_on=due.due_on, sms_sent_at=None
                ).first()
                if pending is not None:
                    _sms(pending, due.phone)
    return created


@transaction.atomic
def preference_set(*, actor: Any, kind: str, in_site: bool, sms: bool) -> Preference:
    """Opt in or out of one kind of proactive service, for oneself."""
    if kind not in RecommendationKind.values:
        raise DomainError(code="unknown_kind", message="提醒类型无效。")
    if sms and not in_site:
        raise DomainError(
            code="sms_needs_site", message="关闭站内提醒后无法单独接收短信，请同时开启站内提醒。"
        )
    preference, _created = Preference.objects.select_for_update().get_or_create(user=actor, kind=kind)
    before = {"in_site": preference.in_site, "sms": preference.sms}
    preference.in_site, preference.sms = in_site, sms
    preference.save(update_fields=["in_site", "sms", "updated_at"])
    audit_record(
        actor=actor,
        action="proactive.preference_set",
        target=preference,
        changes={"in_site": [before["in_site"], in_site], "sms": [before["sms"], sms]},
    )
    return preference


@transaction.atomic
def recommendation_dismiss(*, actor: Any, recommendation_id: Any) -> Recommendation:
    """Hide a recommendation from one's own space (done elsewhere, or not relevant)."""
    recommendation = (
        Recommendation.objects.select_for_update().filter(pk=recommendation_id, user=actor).first()
    )
    if recommendation is None:
        raise NotFound
    if recommendation.dismissed_at is None:
        recommendation.dismissed_at = clock.now()
        recommendation.save(update_fields=["dismissed_at", "updated_at"])
        audit_record(actor=actor, action="proactive.dismiss", target=recommendation)
    return recommendation
