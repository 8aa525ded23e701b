"""Security events from core's signals: audit entries that are security events, and reported ones."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from onewindow.core.models import AuditEntry
from onewindow.core.signals import audit_recorded, security_event
from onewindow.secmon.models import EventKind
from onewindow.secmon.services import security_event_record

# Which audit actions are security events (the audit trail already records each of them once).
AUDIT_ACTION_KINDS: dict[str, str] = {
    "auth.login_failed": EventKind.SIGN_IN_FAILED,
    "auth.totp_failed": EventKind.SIGN_IN_FAILED,
    "sms.verify_failed": EventKind.SIGN_IN_FAILED,
    "auth.password_change_failed": EventKind.SIGN_IN_FAILED,
    "auth.password_reset_failed": EventKind.SIGN_IN_FAILED,
    "auth.locked": EventKind.LOCKOUT,
    "person.identifier_reveal": EventKind.PERSONAL_DATA_LOOKUP,
    "licence.query": EventKind.PERSONAL_DATA_LOOKUP,
    "oidc_key.rotate": EventKind.KEY_ROTATION,
    "oidc_client.secret_rotate": EventKind.KEY_ROTATION,
    "signing_key.rotate": EventKind.KEY_ROTATION,
    "personal_data.rekey": EventKind.KEY_ROTATION,
    "person.data_export": EventKind.DATA_EXPORT,
    "cases.exchange_export": EventKind.DATA_EXPORT,
}


@receiver(audit_recorded, dispatch_uid="secmon.audit_recorded")
def event_from_audit(sender: Any, entry: AuditEntry, **kwargs: Any) -> None:
    kind = AUDIT_ACTION_KINDS.get(entry.action)
    if kind is None:
        return
    security_event_record(
        kind=kind,
        subject=entry.actor_label,
        actor_id=entry.actor_id,
        ip=entry.ip,
        detail={"action": entry.action, "target": entry.target_label},
        audit_seq=entry.seq,
    )


@receiver(security_event, dispatch_uid="secmon.security_event")
def event_reported(
    sender: Any,
    kind: str,
    subject: str,
    actor: Any = None,
    ip: str | None = None,
    detail: Any = None,
    **kwargs: Any,
) -> None:
    security_event_record(kind=kind, subject=subject, actor=actor, ip=ip, detail=detail or {})
