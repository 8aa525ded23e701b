"""Public licence API: verification and the published signing keys."""

from ninja import Router

router = Router(tags=["licences"])
