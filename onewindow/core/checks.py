"""System checks run by ``onewindow check --deploy``: settings that are fine on a laptop and wrong in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_off_in_production(**kwargs: Any) -> list[Warning]:
    warnings = []
    if settings.ONEWINDOW_SANDBOX:
        warnings.append(
            Warning(
                "ONEWINDOW_SANDBOX is on: one-time codes are shown on screen.",
                hint="Unset ONEWINDOW_SANDBOX and configure the real SMS gateway and verifiers (docs/deploy.md).",
                id="onewindow.W001",
            )
        )
    sandboxed = sorted(kind for kind, spec in settings.ONEWINDOW_PLUGINS.items() if "Sandbox" in str(spec))
    if sandboxed and not settings.ONEWINDOW_SANDBOX and not settings.ONEWINDOW_ALLOW_SANDBOX_PLUGINS:
        warnings.append(
            Warning(
                f"Sandbox plug-ins are configured for: {', '.join(sandboxed)}.",
                hint="Point ONEWINDOW_SMS_GATEWAY_URL / ONEWINDOW_IDENTITY_VERIFIER / ONEWINDOW_COMPANY_REGISTRY "
                "at the real services, or set ONEWINDOW_ALLOW_SANDBOX_PLUGINS=true for a staging system.",
                id="onewindow.W002",
            )
        )
    return warnings
