"""Public verification of e-licences (证照核验), no sign-in: a form for the identifier (or whatever a phone
read from the QR code), the result page by identifier and by the QR short link, and the published public
keys for checking a licence offline.

Every page counts against the caller's ``public_lookup`` limit: identifiers are guessable in sequence and the
result shows a masked holder, so look-ups in bulk are refused with a 429 page.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.licences.models import SigningKey
from onewindow.licences.selectors import (
    Outcome,
    VerificationResult,
    licence_get_by_short,
    licence_issuers,
    licence_verify,
    licences_by_number,
    public_keys,
    verification_of,
)
from onewindow.licences.wallet_selectors import face_rows

# Longest identifier a licence can have (the model's column): anything longer is not worth a look-up.
IDENTIFIER_MAX = 160
# A QR code read by a phone's camera app may hand over the whole short link (or someone pastes a result
# page's address): keep its code or identifier.
_SHORT_LINK_RE = re.compile(r"/v/([1-9A-HJ-NP-Za-km-z]{1,23})/?$")
_RESULT_LINK_RE = re.compile(r"/licences/verify/([^/?#]+)/?$")
# The banner's colour per outcome; a signature that does not check is always an error, whatever the status.
_BANNER = {
    Outcome.VALID: "alert-success",
    Outcome.EXPIRED: "alert-warning",
    Outcome.SUSPENDED: "alert-warning",
    Outcome.SUPERSEDED: "alert-warning",
    Outcome.NOT_YET_VALID: "alert-warning",
    Outcome.REVOKED: "alert-error",
    Outcome.UNKNOWN: "alert-error",
}


def public_lookup_limited(request: HttpRequest) -> HttpResponse | None:
    """Count the look-up; the 429 page (in the visitor's language) once the address's limit is used up.
    Shared by every public look-up: licence verification and the register of licensing decisions."""
    try:
        rate_limit_hit(scope="public_lookup", key=client_address(request))
    except DomainError as refused:
        response = render(
            request, "licences/verify_limited.html", {"retry_after": refused.retry_after}, status=429
        )
        response["Retry-After"] = str(refused.retry_after or 60)
        return response
    return None


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """The form: type the identifier printed on a licence, or paste what the QR code says."""
    entered = (request.GET.get("identifier") or "").strip()[: IDENTIFIER_MAX + 100]
    if not entered:
        return render(request, "licences/verify_form.html", {"issuers": list(licence_issuers())})
    if match := _SHORT_LINK_RE.search(entered):
        return redirect("licence_verify:short", code=match.group(1))
    if match := _RESULT_LINK_RE.search(entered):
        entered = match.group(1)
    identifier = "".join(entered.split()).upper()
    if len(identifier) > IDENTIFIER_MAX or "/" in identifier:
        return render(
            request,
            "licences/verify_form.html",
            {"identifier": entered, "error": True, "issuers": list(licence_issuers())},
            status=400,
        )
    return redirect("licence_verify:result", identifier=identifier)


def _result_page(request: HttpRequest, result: VerificationResult) -> HttpResponse:
    licence = result.licence
    context: dict[str, Any] = {
        "result": result,
        "banner": _BANNER.get(result.outcome, "alert-error") if result.signature_valid else "alert-error",
        # The masked public face: the holder sees the full one in the wallet and on the PDF.
        "face_rows": face_rows(licence, result.face) if licence is not None else [],
        "checked_at": clock.now(),
    }
    # Unknown is a plain 404 so that link checkers and scripts see it; the page still explains.
    response = render(request, "licences/verify_result.html", context, status=404 if licence is None else 200)
    # The status can change at any time (a revocation): never served from a cache.
    add_never_cache_headers(response)
    return response


@require_safe
def verify_result(request: HttpRequest, identifier: str) -> HttpResponse:
    """The verification of the licence with this identifier."""
    if limited := public_lookup_limited(request):
        return limited
    return _result_page(request, licence_verify(identifier[:IDENTIFIER_MAX]))


@require_safe
def verify_by_number(request: HttpRequest) -> HttpResponse:
    """Verification by the number printed on the licence and its issuing department: one match shows its
    result page; several (one number on licences of different types) are listed to choose from."""
    number = (request.GET.get("number") or "").strip()[:100]
    issuer = (request.GET.get("issuer") or "").strip()[:200]
    context: dict[str, Any] = {"number": number, "issuer": issuer, "issuers": list(licence_issuers())}
    if not number or not issuer:
        context["number_error"] = bool(number or issuer)
        return render(request, "licences/verify_form.html", context, status=400 if number or issuer else 200)
    if limited := public_lookup_limited(request):
        return limited
    results = licences_by_number(number=number, issuer=issuer)
    if len(results) == 1:
        return _result_page(request, results[0])
    if not results:
        return _result_page(
            request, VerificationResult(outcome=Outcome.UNKNOWN, signature_valid=False, licence=None)
        )
    context["matches"] = results
    return render(request, "licences/verify_form.html", context)


@require_safe
def verify_short(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's short link: the same result page as the identifier's."""
    if limited := public_lookup_limited(request):
        return limited
    licence = licence_get_by_short(code)
    if licence is None:
        result = VerificationResult(outcome=Outcome.UNKNOWN, signature_valid=False, licence=None)
    else:
        result = verification_of(licence)
    return _result_page(request, result)


@require_safe
def keys(request: HttpRequest) -> HttpResponse:
    """The published public keys of every issuing department, active and retired."""
    if limited := public_lookup_limited(request):
        return limited
    return render(request, "licences/verify_keys.html", {"keys": public_keys()})


@require_safe
def key_pem(request: HttpRequest, key_id: str) -> HttpResponse:
    """One public key as a PEM file (SubjectPublicKeyInfo), for OpenSSL or any verifier."""
    if limited := public_lookup_limited(request):
        return limited
    key = public_keys().filter(key_id=key_id).first()
    if key is None:
        raise Http404
    response = HttpResponse(key.public_key, content_type="application/x-pem-file; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="{_pem_filename(key)}"'
    return response


def _pem_filename(key: SigningKey) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key.key_id) + ".pem"
