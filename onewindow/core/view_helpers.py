"""Shared by the apps' HTML views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404

from onewindow.core.errors import NotFound, PermissionDenied


@contextmanager
def refusals_as_http() -> Iterator[None]:
    """A record the caller may not see is the plain 404 page (as if it did not exist); a refusal is the 403
    page with the service's message."""
    try:
        yield
    except NotFound:
        raise Http404 from None
    except PermissionDenied as refused:
        raise HttpForbidden(refused.message) from None
