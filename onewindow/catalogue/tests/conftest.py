"""Catalogue fixtures. ``demo_catalogue`` loads the whole demo (departments, 150+ published items, bundles) once
per test module and rolls it back when the module ends, so other modules start from an empty catalogue.

The demo is loaded through its management command: ``onewindow.demo`` sits above ``catalogue`` in the import
layers, so catalogue code (tests included) never imports it."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo loaded once for the module (yields the command's report); tests also need ``db``, whose
    changes roll back to a savepoint after each test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            report = StringIO()
            call_command("demo", stdout=report)
            yield report.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
