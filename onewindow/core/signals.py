"""Signals core sends so that apps above it can react without core importing them (docs/architecture.md).

``audit_recorded(entry=AuditEntry)`` — sent inside the writer's transaction after each audit entry is
appended; the security monitor (``onewindow.secmon``) counts security events from it.
``security_event(kind=str, actor=User | None, subject=str, detail=dict)`` — sent by code that sees a security
event that is not an audit entry (a burst of refused requests, for example).
"""

from __future__ import annotations

from django.dispatch import Signal

audit_recorded = Signal()
security_event = Signal()
