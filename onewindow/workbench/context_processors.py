"""What the signed-in staff member may open, for the workbench menus: a link is shown only to a role that can
use the page behind it (issue #15: a supervisor was offered window intake and got a refusal)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from onewindow.analytics.scope import HEAD_ROLES
from onewindow.cases.selectors import walk_in_items
from onewindow.catalogue.selectors import EDITOR_ROLES as CATALOGUE_EDITOR_ROLES
from onewindow.licences.selectors import ADMIN_ROLES as LICENCE_ADMIN_ROLES
from onewindow.licences.selectors import VIEWER_ROLES as LICENCE_VIEWER_ROLES
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships
from onewindow.sharing.selectors import OVERSIGHT_ROLES as SHARING_OVERSIGHT_ROLES
from onewindow.supervision.selectors import orders_open_count


class StaffAccess:
    """Computed on first use only, so pages that never look pay no query."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def roles(self) -> set[str]:
        return set(staff_memberships(user=self.user).values_list("role", flat=True))

    @cached_property
    def platform_admin(self) -> bool:
        # From the roles already read: every menu check of a page shares the one membership query.
        return bool(getattr(self.user, "is_superuser", False)) or Role.PLATFORM_ADMIN in self.roles

    @cached_property
    def analytics(self) -> bool:
        """May open the measures pages: a platform administrator, a supervisor or a department head (the roles
        `analytics.scope.analytics_scope` accepts), without another query."""
        return self.platform_admin or bool(self.roles & {Role.SUPERVISOR, *HEAD_ROLES})

    @cached_property
    def supervisor(self) -> bool:
        return self.platform_admin or Role.SUPERVISOR in self.roles

    @cached_property
    def window_clerk(self) -> bool:
        """May file a case at the counter: the walk-in page's own test (published items to file), one query
        asked only by the pages that offer the link."""
        return walk_in_items(user=self.user).exists()

    @cached_property
    def department_member(self) -> bool:
        """Holds a role in a department: may look people up (``identity.selectors.staff_may_look_up``)."""
        return bool(self.roles)

    @cached_property
    def licences(self) -> bool:
        """May see a department's licences (``licences.selectors.staff_licence_departments``)."""
        return bool(self.roles & set(LICENCE_VIEWER_ROLES))

    @cached_property
    def licence_admin(self) -> bool:
        """Keeps a department's licence types and signing keys."""
        return bool(self.roles & set(LICENCE_ADMIN_ROLES))

    @cached_property
    def catalogue_editor(self) -> bool:
        """Keeps the catalogue, the processes and the webhooks (``catalogue.selectors.catalogue_access``,
        ``webhooks.selectors.may_use_webhooks``)."""
        return self.platform_admin or bool(self.roles & set(CATALOGUE_EDITOR_ROLES))

    @cached_property
    def sharing_oversight(self) -> bool:
        """Sees the data-sharing approvals and access log (``sharing.selectors.approvals_for_staff``)."""
        return bool(self.roles & set(SHARING_OVERSIGHT_ROLES))

    @cached_property
    def handles_cases(self) -> bool:
        """Holds a role that acts on cases (a supervisor only watches them; administrators keep every menu)."""
        return self.platform_admin or bool(self.roles - {Role.SUPERVISOR}) or self.window_clerk

    @cached_property
    def open_orders(self) -> int:
        """Supervision orders awaiting this person's department's reply."""
        return orders_open_count(user=self.user)


def staff_access(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"staff_access": StaffAccess(user)}
