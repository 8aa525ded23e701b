"""Virus scanners for uploaded materials, used through ``core.plugins.plugin("virus_scanner")``.

A real deployment points the plug-in at its scanner (e.g. a ClamAV daemon adapter); the sandbox one used by
the quick start and the tests knows a single signature, the EICAR test file, so the refusal path is testable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

# The industry-standard harmless test signature every anti-virus product detects (eicar.org).
EICAR_SIGNATURE = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass(frozen=True)
class ScanVerdict:
    """The outcome of one scan: clean, or the name of what was found."""

    clean: bool
    threat: str = ""


class SandboxVirusScanner:
    """Finds only the EICAR test signature; everything else is clean."""

    def scan(self, *, name: str, data: IO[bytes]) -> ScanVerdict:
        data.seek(0)
        found = EICAR_SIGNATURE in data.read()
        data.seek(0)
        return ScanVerdict(clean=False, threat="EICAR-Test-File") if found else ScanVerdict(clean=True)
