"""Sign-ins and sign-outs go to the audit trail: who signed in, from where, and failed attempts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onewindow.core.services import audit_record

# What a failed attempt may record besides who was tried: never the password, code or a plain identifier.
FAILURE_DETAILS = ("method", "reason")


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", target=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The name tried is kept (truncated; identity masks phone and ID numbers before sending); the password
    # never is: Django scrubs it, and only the whitelisted details below are copied.
    audit_record(
        actor=None,
        action="auth.login_failed",
        actor_label=str(credentials.get("username", ""))[:150] or "unknown",
        changes={key: str(credentials[key])[:40] for key in FAILURE_DETAILS if key in credentials} or None,
    )
