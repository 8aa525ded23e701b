"""The ``onewindow`` command: Django's management commands under the platform's name.

``onewindow run`` (quick start), ``onewindow demo``, ``onewindow workdays add 2026-09-30 1``,
``onewindow calendar import FILE``, ``onewindow audit verify``, ``onewindow worker``, ``onewindow scheduler``,
and every Django command (``onewindow migrate``, ``onewindow createsuperuser`` …).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    # Everything the platform writes (database, uploads, keys, cache, logs) is for its own user only.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    if args[:1] == ["run"]:
        # The quick start serves plain HTTP on 127.0.0.1; production sets ONEWINDOW_HTTPS behind TLS.
        os.environ.setdefault("ONEWINDOW_HTTPS", "false")
        # The sandbox SMS gateway and verifiers show their codes on screen so the demo works without a phone.
        os.environ.setdefault("ONEWINDOW_SANDBOX", "true")
        bind_environment_set(bind_option(args))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onewindow", *args])


def bind_option(args: list[str]) -> str:
    """The address ``onewindow run --bind HOST:PORT`` will listen on (its default when not given)."""
    for index, arg in enumerate(args):
        if arg == "--bind" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--bind="):
            return arg.partition("=")[2]
    return "127.0.0.1:8000"


def bind_environment_set(bind: str) -> None:
    """Make the public address (QR codes on licences and notices, links in messages) and the accepted host
    names follow ``--bind``, unless the operator set them. Every child process inherits them."""
    host, _, port = bind.rpartition(":")
    if not host or host.startswith("unix"):
        return
    # A wildcard bind listens everywhere; this machine's own loopback address is the one that surely works.
    public_host = "127.0.0.1" if host in {"0.0.0.0", "[::]", "::"} else host  # noqa: S104
    os.environ.setdefault("ONEWINDOW_PUBLIC_BASE_URL", f"http://{public_host}:{port}")
    hosts = {"localhost", "127.0.0.1", public_host.strip("[]")}
    os.environ.setdefault("ALLOWED_HOSTS", ",".join(sorted(hosts)))


if __name__ == "__main__":
    main()
