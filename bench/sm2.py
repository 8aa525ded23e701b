"""SM2 signatures per second in one process (issue #18): native OpenSSL 3 (``ctypes`` into libcrypto) against
pure-Python gmssl, over a licence-sized payload, one core (one thread).

    .venv/bin/python bench/sm2.py                 # → bench/results/sm2.json

No database. ``verify_cached_per_s`` is ``signature_verify_cached`` answering from its short cache of verified
signatures (the public verification page asked again for the same licence).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rate(function: object, seconds: float) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        function()  # type: ignore[operator]
        count += 1
    return round(count / elapsed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "sm2.json")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from bench.run import _machine
    from onewindow.licences import signing, sm2_native
    from onewindow.licences.signing import Sm2Signer

    data = json.dumps(
        {"identifier": "1.2.156.3005.2.11100000000013338W.001", "face": {"x": "y" * 600}}
    ).encode()
    native = Sm2Signer.generate()
    gmssl = Sm2Signer(
        public_key_hex=native._public_key_hex, private_key_hex=native.private_key_text(), native=False
    )
    signature = native.sign(data)
    pem = native.public_key_pem()
    load = [round(n, 2) for n in os.getloadavg()]
    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": load},
        "native_available": sm2_native.available(),
        "payload_bytes": len(data),
        "native": {
            "verify_per_s": _rate(lambda: native.verify(data, signature), args.seconds),
            "sign_per_s": _rate(lambda: native.sign(data), args.seconds),
            "key_parse_and_verify_per_s": _rate(
                lambda: Sm2Signer.from_public_pem(pem).verify(data, signature), args.seconds
            ),
        },
        "gmssl": {
            "verify_per_s": _rate(lambda: gmssl.verify(data, signature), args.seconds),
            "sign_per_s": _rate(lambda: gmssl.sign(data), args.seconds),
        },
    }
    signing.signature_cache_clear()
    results["verify_cached_per_s"] = _rate(
        lambda: signing.signature_verify_cached(
            algorithm="sm2-sm3", public_key_pem=pem, data=data, signature=signature
        ),
        args.seconds,
    )
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
