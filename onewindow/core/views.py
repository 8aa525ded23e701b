from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onewindow.core.selectors import platform_health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the site can serve (``status`` ok or degraded), 503 with Retry-After when the database is
    away; ``problems`` names the failing components (database, queue, scheduler). ``?strict=1`` answers 503
    for a degraded platform too, for monitoring that alerts on background work (a load balancer should not
    take every app server out because the scheduler stopped)."""
    health = platform_health()
    failing = health["status"] == "unavailable" or ("strict" in request.GET and health["status"] != "ok")
    response = JsonResponse(health, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})
    if failing:
        response["Retry-After"] = str(settings.ONEWINDOW_RETRY_AFTER_SECONDS)
    return response
