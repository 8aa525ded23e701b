"""What the provider says about a person in ID tokens and at userinfo, and which key checks a token.

Claims carry masked identifiers only (个人信息保护法 art. 6, data minimisation): a department system that
needs the full ID number asks the person at its own counter, never from the platform.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from django.utils import timezone
from jwcrypto import jwk, jws
from oauth2_provider.models import get_access_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from onewindow.identity.models import AgencyScope
from onewindow.identity.selectors import principal_for_user
from onewindow.organisations.selectors import staff_memberships

# A claim is released only with its scope; the whole ID number and phone number never are.
CLAIM_SCOPES = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "assurance_level": "profile",
    "acr": "profile",
    "acting_for": "profile",
    "staff_departments": "profile",
    "id_number_masked": "idcard",
    "phone_number_masked": "phone",
}
# Authentication context class references, one per assurance level (domain reference §6).
ACR_PREFIX = "urn:onewindow:loa:"


# The person signed in to the browser that sent the authorisation request (set by the authorisation view):
# oauthlib asks the validator about a silent sign-in (prompt=none) without giving it the Django request.
authorising_user: ContextVar[Any | None] = ContextVar("authorising_user", default=None)


class OneWindowValidator(OAuth2Validator):
    """django-oauth-toolkit's validator with the platform's claims and key rotation."""

    oidc_claim_scope = CLAIM_SCOPES

    def validate_silent_login(self, request: Any) -> bool:
        """prompt=none: a code only for a browser already signed in (else ``login_required``)."""
        user = authorising_user.get()
        return bool(user is not None and user.is_authenticated and user.is_active)

    def validate_silent_authorization(self, request: Any) -> bool:
        """prompt=none: no consent page may be shown, so the system must need none — the government's own
        systems skip it, others need a live grant of the same scopes (else ``consent_required``)."""
        client = getattr(request, "client", None)
        user = authorising_user.get()
        if client is None or user is None:
            return False
        if client.skip_authorization:
            return True
        tokens = get_access_token_model().objects.filter(
            user=user, application=client, expires__gt=timezone.now()
        )
        return any(token.allow_scopes(list(request.scopes or [])) for token in tokens)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        principal = principal_for_user(user)
        claims: dict[str, Any] = {
            "name": user.name or user.get_username(),
            "preferred_username": user.get_username(),
        }
        if person := principal.person:
            claims["assurance_level"] = f"L{person.assurance_level}"
            claims["acr"] = f"{ACR_PREFIX}{person.assurance_level}"
            if person.id_number:
                claims["id_number_masked"] = person.id_number_masked
            if person.phone:
                claims["phone_number_masked"] = person.phone_masked
        if company := principal.company:
            claims["acting_for"] = {
                "name": company.name,
                "credit_code": company.credit_code,
                "role": "agent" if principal.agency else "legal_representative",
                # A legal representative may do anything for the company (Principal.allows).
                "scopes": list(principal.agency.scopes)
                if principal.agency
                else [s.value for s in AgencyScope],
            }
        if user.is_staff:
            claims["staff_departments"] = [
                {
                    "name": membership.department.name,
                    "credit_code": membership.department.credit_code,
                    "role": membership.role,
                }
                for membership in staff_memberships(user=user)
            ]
        return claims

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(CLAIM_SCOPES)

    def _get_key_for_token(self, token: str) -> jwk.JWK | None:
        """The key a token names in its ``kid``, among the active and the retired signing keys: an ID token
        signed before a key rotation still works as an ``id_token_hint`` at logout."""
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header if isinstance(unverified.jose_header, dict) else {}
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not kid:
            return super()._get_key_for_token(token)
        payload = json.loads(unverified.objects["payload"].decode("utf-8"))
        if "aud" not in payload or not self._get_client_by_audience(payload["aud"]):
            return None
        for pem in [oauth2_settings.OIDC_RSA_PRIVATE_KEY, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]:
            key = jwk_from_pem(pem)
            if key.thumbprint() == kid:
                return key
        return None
