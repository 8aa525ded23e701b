import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

# Files the platform writes (database, uploads, cache) are for its own user only (docs/deploy.md).
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = get_wsgi_application()

# Import the URLconf now, while the worker boots, not on its first request: it builds the API's schemas (a few
# seconds) that the first visitor of every new worker would otherwise wait for.
get_resolver().url_patterns  # noqa: B018
