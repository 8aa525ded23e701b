"""Reads about registered department systems, for platform administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from oauth2_provider.models import get_application_model

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_is_platform_admin

Application = get_application_model()


def _admin_only(user: Any) -> None:
    if not staff_is_platform_admin(user=user):
        raise PermissionDenied("只有平台管理员可以管理接入的部门系统。")


def oidc_clients_list(*, user: Any) -> QuerySet[Any]:
    """Every registered department system with its number of live access tokens, newest first."""
    _admin_only(user)
    return Application.objects.annotate(
        live_tokens=Count("accesstoken", filter=Q(accesstoken__expires__gt=timezone.now()))
    ).order_by("-created")


def oidc_client_get(*, user: Any, pk: int) -> Any:
    _admin_only(user)
    application = Application.objects.filter(pk=pk).first()
    if application is None:
        raise NotFound("未找到该部门系统。")
    return application
