"""What the signed-in staff member may open, for the workbench menus: a link is shown only to a role that can
use the page behind it (issue #15: a supervisor was offered window intake and got a refusal)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from onewindow.analytics.scope import HEAD_ROLES
from onewindow.halls.selectors import comprehensive_window_item_ids
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships
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
        return Role.WINDOW_CLERK in self.roles or comprehensive_window_item_ids(user=self.user).exists()

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
