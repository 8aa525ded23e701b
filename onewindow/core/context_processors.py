from django.conf import settings
from django.http import HttpRequest

LARGE_TEXT_COOKIE = "ow_large_text"


def site(request: HttpRequest) -> dict[str, object]:
    """The site name and the elderly-friendly large-text preference, for every page."""
    return {
        "site_name": settings.ONEWINDOW_SITE_NAME,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    }
