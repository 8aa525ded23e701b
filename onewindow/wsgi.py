import os

from django.core.wsgi import get_wsgi_application

# Files the platform writes (database, uploads, cache) are for its own user only (docs/deploy.md).
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
application = get_wsgi_application()
