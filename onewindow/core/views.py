from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onewindow.core.selectors import platform_health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; the body tells the task queue's and the scheduler's state."""
    health = platform_health()
    return JsonResponse(
        health, status=200 if health["ok"] else 503, json_dumps_params={"ensure_ascii": False}
    )
