"""Who is asking and from where, for the audit trail, without threading the request through every service."""

from __future__ import annotations

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
