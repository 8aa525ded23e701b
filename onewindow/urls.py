from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.views.i18n import set_language

from onewindow.api import api
from onewindow.core.views import healthz
from onewindow.ops.metrics import metrics
from onewindow.organisations.selectors import staff_is_platform_admin

admin.site.site_header = "一网通办 · 平台管理"
admin.site.site_title = "一网通办 平台管理"
admin.site.index_title = "平台管理"


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin has no sign-in form of its own: everyone signs in on the platform's page, where lockout,
    rate limits, TOTP and the sessions list apply. A signed-in person without admin access is refused."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def admin_has_permission(request: HttpRequest) -> bool:
    """Only platform administrators enter the admin: ``is_staff`` alone marks every clerk of every department,
    and the admin edits the whole platform's records."""
    user = request.user
    return bool(user.is_active and user.is_staff and staff_is_platform_admin(user=user))


admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]

handler403 = "onewindow.portal.error_views.forbidden"
handler404 = "onewindow.portal.error_views.not_found"
handler500 = "onewindow.portal.error_views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/data-usage/", include("onewindow.sharing.citizen_urls")),
    path("accounts/", include("onewindow.identity.urls")),
    path("", include("onewindow.identity.oidc.urls")),
    path("workbench/identity/", include("onewindow.identity.staff_urls")),
    path("workbench/cases/", include("onewindow.cases.staff_urls")),
    path("workbench/tasks/", include("onewindow.workflow.urls")),
    path("workbench/processes/", include("onewindow.workflow.admin_urls")),
    path("workbench/licences/", include("onewindow.licences.staff_urls")),
    path("workbench/catalogue/exchange/", include("onewindow.catalogue.exchange.urls")),
    path("workbench/catalogue/", include("onewindow.catalogue.staff_urls")),
    path("workbench/security/", include("onewindow.secmon.urls")),
    path("workbench/halls/", include("onewindow.halls.staff_urls")),
    path("workbench/queue/", include("onewindow.queueing.staff_urls")),
    path("workbench/appointments/", include("onewindow.appointments.staff_urls")),
    path("workbench/hotline/", include("onewindow.hotline.staff_urls")),
    path("workbench/consult/", include("onewindow.consult.staff_urls")),
    path("workbench/sharing/", include("onewindow.sharing.urls")),
    path("workbench/analytics/", include("onewindow.analytics.urls")),
    path("workbench/ratings/", include("onewindow.ratings.staff_urls")),
    path("workbench/webhooks/", include("onewindow.webhooks.urls")),
    path("workbench/opendata/", include("onewindow.opendata.staff_urls")),
    path("workbench/supervision/", include("onewindow.supervision.urls")),
    path("workbench/", include("onewindow.workbench.urls")),
    path("services/", include("onewindow.catalogue.urls")),
    path("halls/", include("onewindow.halls.urls")),
    path("queue/", include("onewindow.queueing.urls")),
    path("appointments/", include("onewindow.appointments.urls")),
    path("workbench/assist/", include("onewindow.assist.staff_urls")),
    path("elderly/", include("onewindow.assist.elderly_urls")),
    path("kiosk/", include("onewindow.assist.kiosk_urls")),
    path("workbench/payments/", include("onewindow.payments.staff_urls")),
    path("workbench/delivery/", include("onewindow.delivery.staff_urls")),
    path("payments/", include("onewindow.payments.urls")),
    path("delivery/", include("onewindow.delivery.urls")),
    path("decisions/", include("onewindow.licences.register_urls")),
    path("open311/v2/", include("onewindow.hotline.open311_urls")),
    path("hotline/", include("onewindow.hotline.urls")),
    path("consult/", include("onewindow.consult.urls")),
    path("", include("onewindow.ratings.urls")),
    path("data/", include("onewindow.opendata.urls")),
    path("me/", include("onewindow.proactive.urls")),
    path("", include("onewindow.cases.urls")),
    path("", include("onewindow.licences.urls")),
    path("", include("onewindow.licences.verify_urls")),
    path("", include("onewindow.portal.urls")),
]
