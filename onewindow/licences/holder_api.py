"""Department systems' look-up of a holder's licences (OIDC bearer token with the ``licences`` scope), logged
and shown to the holder."""

from ninja import Router

router = Router(tags=["licences"])
