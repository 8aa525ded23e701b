# One image for every role of onewindow: the web app (default), `onewindow worker`, `onewindow scheduler`,
# `onewindow migrate`. Configuration comes from the environment (docs/deploy.md). Not built in CI: the
# machines this project is developed on run no container engine.
FROM python:3.11-slim-bookworm

# WeasyPrint needs pango; the CJK fonts keep Chinese PDFs readable (the translations ship compiled).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --home /srv/onewindow --shell /usr/sbin/nologin onewindow \
    && install -d -o onewindow -g onewindow -m 0700 /var/lib/onewindow
WORKDIR /srv/onewindow
COPY pyproject.toml README.md LICENSE ./
COPY onewindow ./onewindow
RUN pip install --no-cache-dir .

ENV ONEWINDOW_DATA_DIR=/var/lib/onewindow \
    ONEWINDOW_BEHIND_PROXY=true \
    PYTHONUNBUFFERED=1
USER onewindow
# Static files are collected at start into the data volume (they need the settings of the running system).
EXPOSE 8000
CMD ["sh", "-c", "onewindow collectstatic --noinput >/dev/null && exec gunicorn onewindow.wsgi --bind 0.0.0.0:8000 --workers 4 --timeout 60 --access-logfile -"]
