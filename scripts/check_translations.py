"""Fail when a user-facing string has no Chinese translation, or the committed .mo is older than the .po.

Runs `makemessages` (so strings added to code or templates are picked up), then checks the catalogue has no
untranslated or fuzzy entries, then compares the committed .mo's messages with a fresh compile of the .po.
"""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "onewindow"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def catalogue(mo_path: Path) -> dict[str, str]:
    with mo_path.open("rb") as handle:
        messages = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {str(k): str(v) for k, v in messages.items() if k != ""}


def main() -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "ONEWINDOW_DATA_DIR": tempfile.mkdtemp(),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore=tests/*",
        ],
        cwd=PACKAGE,
        env=env,
        check=True,
        capture_output=True,
    )
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr.strip()
    print(f"zh_Hans: {stats}")
    if "untranslated" in stats or "fuzzy" in stats:
        print("untranslated or fuzzy strings in", PO, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
        if catalogue(fresh) != catalogue(MO):
            print(f"{MO} is out of date: run compilemessages and commit it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
