"""Who is asking and from where, for the audit trail, without threading the request through every service."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
# The company a company agent (经办人) is acting for in this request, as "name（credit code）" — asked only
# when an audit entry is written, so requests that change nothing cost no query.
acting_for: ContextVar[Callable[[], str] | None] = ContextVar("acting_for", default=None)
