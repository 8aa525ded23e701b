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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    if args[:1] == ["run"]:
        # The quick start serves plain HTTP on 127.0.0.1; production sets ONEWINDOW_HTTPS behind TLS.
        os.environ.setdefault("ONEWINDOW_HTTPS", "false")
        # The sandbox SMS gateway and verifiers show their codes on screen so the demo works without a phone.
        os.environ.setdefault("ONEWINDOW_SANDBOX", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onewindow", *args])


if __name__ == "__main__":
    main()
