"""Security monitoring writes: recording events, raising and acknowledging alerts, handling incidents."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Membership, Role
from onewindow.secmon.models import (
    AlertStatus,
    EventKind,
    Incident,
    IncidentSeverity,
    IncidentStage,
    IncidentStep,
    SecurityAlert,
    SecurityEvent,
)

log = logging.getLogger("onewindow.security")
# 网络安全法 art. 21: network logs kept no less than six months.
MINIMUM_RETENTION_DAYS = 180


def _threshold(kind: str) -> tuple[int, int]:
    count, seconds = settings.ONEWINDOW_SECMON_THRESHOLDS[kind]
    return int(count), int(seconds)


@transaction.atomic
def security_event_record(
    *,
    kind: str,
    subject: str,
    actor: Any | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
    audit_seq: int | None = None,
    actor_id: Any | None = None,
) -> SecurityEvent:
    """Keep one security event and raise an alert when its subject (or its address) crosses the threshold."""
    if kind not in EventKind.values:
        raise DomainError("secmon.unknown_kind", f"未知的安全事件类型：{kind}")
    now = clock.now()
    event = SecurityEvent.objects.create(
        kind=kind,
        at=now,
        actor_id=getattr(actor, "pk", None) or actor_id,
        subject=(subject or "unknown")[:200],
        ip=ip or None,
        detail=detail or {},
        audit_seq=audit_seq,
    )
    threshold, window = _threshold(kind)
    since = now - dt.timedelta(seconds=window)
    watched = [("subject", event.subject)]
    if ip and event.subject != f"ip:{ip}":
        watched.append(("ip", ip))
    for field, value in watched:
        recent = SecurityEvent.objects.filter(kind=kind, at__gte=since, **{field: value})
        count = recent.count()
        if count >= threshold:
            label = value if field == "subject" else f"ip:{value}"
            _alert_raise_or_extend(
                kind=kind, subject=label, count=count, threshold=threshold, window=window, recent=recent
            )
    return event


def _alert_raise_or_extend(
    *, kind: str, subject: str, count: int, threshold: int, window: int, recent: Any
) -> SecurityAlert:
    now = clock.now()
    open_alert = (
        SecurityAlert.objects.select_for_update()
        .filter(
            kind=kind,
            subject=subject,
            status=AlertStatus.OPEN,
            last_at__gte=now - dt.timedelta(seconds=window),
        )
        .first()
    )
    if open_alert is not None:
        # The same burst goes on: count it on the open alert instead of mailing the administrators again.
        open_alert.count, open_alert.last_at = open_alert.count + 1, now
        open_alert.save(update_fields=["count", "last_at", "updated_at"])
        return open_alert
    first_at = recent.order_by("at").values_list("at", flat=True).first() or now
    alert = SecurityAlert.objects.create(
        kind=kind,
        subject=subject,
        count=count,
        threshold=threshold,
        window_seconds=window,
        first_at=first_at,
        last_at=now,
    )
    audit_record(
        actor=None, action="security.alert_raise", target=alert, changes={"kind": kind, "count": count}
    )
    log.warning("security alert: %s for %s (%s events in %s s)", kind, subject, count, window)
    transaction.on_commit(lambda: _alert_mail(alert))
    return alert


def platform_admin_emails() -> list[str]:
    """Where alerts are mailed: every platform administrator (and superuser) with an e-mail address."""
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(
        Q(is_superuser=True)
        | Q(pk__in=Membership.objects.filter(role=Role.PLATFORM_ADMIN).values("user_id")),
        is_active=True,
    )
    return sorted({email for email in admins.values_list("email", flat=True) if email})


def _alert_mail(alert: SecurityAlert) -> None:
    recipients = platform_admin_emails()
    if not recipients:
        return
    subject = f"【安全告警】{alert.get_kind_display()}：{alert.subject}"
    body = (
        f"{alert.first_at:%Y-%m-%d %H:%M}起 {alert.window_seconds // 60} 分钟内发生 {alert.count} 次"
        f"“{alert.get_kind_display()}”（阈值 {alert.threshold}），对象：{alert.subject}。\n"
        f"请登录工作台“安全监测”页面研判处置：{settings.ONEWINDOW_PUBLIC_BASE_URL}/workbench/security/"
    )
    try:
        send_mail(subject, body, None, recipients)
    except OSError:  # the alert stays on the workbench page; a mail server outage must not lose it
        log.exception("security alert mail failed")


@transaction.atomic
def security_alert_acknowledge(*, alert: SecurityAlert, actor: Any) -> SecurityAlert:
    """An administrator has seen the alert (it leaves the open list; a new burst raises a new one)."""
    alert = SecurityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise DomainError("secmon.alert_not_open", "该告警已确认，无需重复确认。", status=409)
    alert.status, alert.acknowledged_by, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, clock.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    audit_record(actor=actor, action="security.alert_acknowledge", target=alert)
    return alert


@transaction.atomic
def incident_report(
    *, actor: Any, title: str, severity: str, note: str, alert: SecurityAlert | None = None
) -> Incident:
    """Open an incident at the 报告 (reported) stage, optionally from an alert."""
    title, note = title.strip(), note.strip()
    if not title or not note:
        raise DomainError("secmon.incident_incomplete", "请填写事件标题和情况说明。")
    if severity not in IncidentSeverity.values:
        raise DomainError("secmon.incident_severity", "请选择事件级别（Ⅰ—Ⅳ级）。")
    incident = Incident.objects.create(title=title[:200], severity=severity, alert=alert, reported_by=actor)
    IncidentStep.objects.create(incident=incident, stage=IncidentStage.REPORTED, note=note, actor=actor)
    audit_record(
        actor=actor, action="security.incident_report", target=incident, changes={"severity": severity}
    )
    return incident


@transaction.atomic
def incident_advance(*, incident: Incident, actor: Any, stage: str, note: str) -> Incident:
    """Record the next handling step (研判 → 处置 → 通报 → 关闭), in order, each with a note."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    note = note.strip()
    if incident.stage == IncidentStage.CLOSED:
        raise DomainError("secmon.incident_closed", "该事件已关闭，不能再添加处置步骤。", status=409)
    if stage != incident.next_stage():
        raise DomainError(
            "secmon.incident_stage_order",
            "处置步骤须按“报告、研判、处置、通报、关闭”的顺序进行。",
            status=409,
        )
    if not note:
        raise DomainError("secmon.incident_note_required", "请填写本步骤的处置说明。")
    previous = incident.stage
    incident.stage = stage
    incident.save(update_fields=["stage", "updated_at"])
    IncidentStep.objects.create(incident=incident, stage=stage, note=note, actor=actor)
    audit_record(
        actor=actor, action="security.incident_advance", target=incident, changes={"stage": [previous, stage]}
    )
    return incident


def retention_days() -> int:
    return max(int(settings.ONEWINDOW_SECMON_RETENTION_DAYS), MINIMUM_RETENTION_DAYS)


@transaction.atomic
def security_events_prune() -> int:
    """Delete events older than the retention period (never under 180 days); returns how many."""
    cutoff = clock.now() - dt.timedelta(days=retention_days())
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    if deleted:
        audit_record(
            actor=None,
            action="security.events_prune",
            changes={"deleted": deleted, "before": cutoff.isoformat(timespec="seconds")},
        )
    return deleted
