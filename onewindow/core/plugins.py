"""Plug-ins for the outside world (SMS, identity verification, registries, signers, payment).

``settings.ONEWINDOW_PLUGINS`` maps a kind to the dotted path of a class; each kind has a real adapter and a
sandbox one (the quick start and the tests use the sandbox). ``plugin("sms")`` returns the configured
instance, built once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def plugin(kind: str) -> Any:
    spec = settings.ONEWINDOW_PLUGINS[kind]
    if isinstance(spec, str):
        return import_string(spec)()
    options: dict[str, Any] = spec.get("options", {})  # type: ignore[assignment]
    return import_string(str(spec["class"]))(**options)


def plugins_reset() -> None:
    """Forget built plug-ins, e.g. after a test overrides ONEWINDOW_PLUGINS."""
    plugin.cache_clear()
