"""Citizen pages of the e-licence library: 我的证照 (the licences, the PDF, share codes, 用证记录, the reuse
consent), the public page behind a share code (亮证), and the picker that answers an application's material
with a licence instead of an upload (免提交).

Thin views: reads through the licences and cases selectors, writes through the services; a refusal is shown
on the page it came from, in the service's words.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.selectors import case_get_for_applicant
from onewindow.cases.views import applicant_required, refused_status
from onewindow.catalogue.models import Material, MaterialSource
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.licences import wallet_selectors as wallet
from onewindow.licences.models import Licence
from onewindow.licences.pdf import licence_pdf, licence_pdf_filename
from onewindow.licences.selectors import holder_code_masked, licence_verify, licences_of_holder
from onewindow.licences.services import reuse

PAGE_SIZE = 20
SHARE_HOURS = (1, 24, 72, 168)


def _licence_get(request: HttpRequest, licence_id: uuid.UUID) -> Licence:
    licence = (
        licences_of_holder(user=request.user)
        .filter(pk=licence_id)
        .select_related("licence_type", "issuer", "signing_key")
        .first()
    )
    if licence is None:
        raise Http404
    return licence


# --- 我的证照 ------------------------------------------------------------------------------------------


@require_safe
@applicant_required
def wallet_list(request: HttpRequest) -> HttpResponse:
    """我的证照: the licences of the person, or of the company acted for with the ``licences`` scope."""
    holder = wallet.holder_for_user(request.user)
    licences = licences_of_holder(user=request.user).select_related("licence_type", "issuer")
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/wallet_list.html",
        {
            "holder": holder,
            "page_obj": page,
            "consent": wallet.reuse_consent_active(holder=holder) if holder else None,
        },
    )


def _share_choices() -> list[tuple[str, str]]:
    choices = []
    for hours in SHARE_HOURS:
        if hours < 24:
            label = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        else:
            days = hours // 24
            label = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        choices.append((str(hours), label))
    return choices


def _licence_render(
    request: HttpRequest,
    licence: Licence,
    *,
    new_code: str = "",
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
) -> HttpResponse:
    response = render(
        request,
        "licences/wallet_licence.html",
        {
            "licence": licence,
            "face": wallet.face_rows(licence),
            "holder_code": holder_code_masked(licence),
            "usable": wallet.licence_usable(licence),
            "shares": list(wallet.licence_shares_live(licence=licence)),
            "events": list(licence.events.all()),
            "share_hours": _share_choices(),
            "new_code": new_code,
            "share_url": request.build_absolute_uri(reverse("licences:shared", args=[new_code]))
            if new_code
            else "",
            "error": error,
            "form": form or {},
        },
        status=refused_status(error) if error else 200,
    )
    if new_code:
        # The share code is on this page only once: never cached, never kept in history.
        add_never_cache_headers(response)
    return response


@require_safe
@applicant_required
def wallet_licence(request: HttpRequest, licence_id: uuid.UUID) -> HttpResponse:
    """One licence: its face, status and validity, the PDF, share codes and its history."""
    return _licence_render(request, _licence_get(request, licence_id))


@require_safe
@applicant_required
def wallet_pdf(request: HttpRequest, licence_id: uuid.UUID) -> HttpResponse:
    """The licence as an A4 PDF with the seal and the verification QR code."""
    licence = _licence_get(request, licence_id)
    response = HttpResponse(licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=licence_pdf_filename(licence)
    )
    add_never_cache_headers(response)
    return response


@require_POST
@applicant_required
def share_create(request: HttpRequest, licence_id: uuid.UUID) -> HttpResponse:
    """Create a share code (亮证); the code is shown on the response only."""
    licence = _licence_get(request, licence_id)
    form = {"purpose": request.POST.get("purpose", ""), "hours": request.POST.get("hours", "")}
    try:
        try:
            hours = int(form["hours"])
        except ValueError:
            raise DomainError(
                code="licence.share_expiry_invalid", message="请选择亮证码的有效期（1 小时到 7 天）。"
            ) from None
        _share, code = reuse.licence_share_create(
            licence=licence, user=request.user, purpose=form["purpose"], hours=hours
        )
    except DomainError as refused:
        return _licence_render(request, licence, error=refused, form=form)
    return _licence_render(request, licence, new_code=code)


@require_POST
@applicant_required
def share_revoke(request: HttpRequest, licence_id: uuid.UUID, share_id: uuid.UUID) -> HttpResponse:
    """End a share code now."""
    licence = _licence_get(request, licence_id)
    reuse.licence_share_revoke(
        share=wallet.licence_share_get(share_id=share_id, licence=licence), user=request.user
    )
    messages.success(request, _("The share code was revoked. It no longer opens the licence."))
    return redirect(reverse("licences:licence", args=[licence.pk]) + "#shares")


@require_safe
@applicant_required
def wallet_accesses(request: HttpRequest) -> HttpResponse:
    """用证记录: which departments and systems looked up or used the holder's licences."""
    holder = wallet.holder_for_user(request.user)
    accesses = wallet.licence_accesses_for(holder=holder) if holder else None
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page")) if accesses is not None else None
    return render(request, "licences/wallet_accesses.html", {"holder": holder, "page_obj": page})


@require_POST
@applicant_required
def wallet_consent(request: HttpRequest) -> HttpResponse:
    """Switch the reuse consent (免提交) on or off."""
    holder = wallet.holder_for_user(request.user)
    if holder is None:
        raise Http404
    if request.POST.get("consent") == "on":
        reuse.reuse_consent_grant(holder=holder, user=request.user)
        messages.success(
            request, _("From now on your valid licences are attached to your new applications automatically.")
        )
    else:
        reuse.reuse_consent_withdraw(holder=holder, user=request.user)
        messages.success(
            request, _("Licences are no longer attached automatically; you choose them yourself.")
        )
    return redirect(reverse("licences:wallet") + "#consent")


# --- 亮证: the public page behind a share code ------------------------------------------------------------


@require_safe
def shared(request: HttpRequest, code: str) -> HttpResponse:
    """The one licence a live share code opens, with the holder masked and its current status and signature
    checked; rate limited like every public look-up."""
    try:
        rate_limit_hit(scope="public_lookup", key=client_address(request))
        share = reuse.licence_share_open(code=code)
    except DomainError as refused:
        if refused.status == 429:
            response = render(
                request, "licences/share_limited.html", {"retry_after": refused.retry_after}, status=429
            )
            response["Retry-After"] = str(refused.retry_after or 60)
        else:
            response = render(request, "licences/share_view.html", {"error": refused}, status=404)
        add_never_cache_headers(response)
        return response
    licence = share.licence
    response = render(
        request,
        "licences/share_view.html",
        {
            "share": share,
            "licence": licence,
            "result": licence_verify(licence.identifier),
            "face": wallet.face_rows(licence),
            "holder_code": holder_code_masked(licence),
        },
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- 免提交: answering a material with a licence ------------------------------------------------------------


def _pick_context(request: HttpRequest, case_id: uuid.UUID, material_key: str) -> tuple[Case, Material]:
    case = case_get_for_applicant(user=request.user, case_id=case_id)
    material = next(
        (
            m
            for m in case.item_version.materials.all()
            if m.key == material_key and m.source == MaterialSource.ELICENCE
        ),
        None,
    )
    if material is None:
        raise Http404
    return case, material


def _pick_render(
    request: HttpRequest, case: Case, material: Material, *, error: DomainError | None = None
) -> HttpResponse:
    may_use = wallet.holder_may_use(user=request.user, case=case)
    return render(
        request,
        "licences/pick_licence.html",
        {
            "case": case,
            "material": material,
            "may_use": may_use,
            "licences": list(wallet.licences_usable_for_case(case=case, material=material))
            if may_use
            else [],
            "attached": [row for row in case.materials.all() if row.material_id == material.pk],
            "editable": case.is_editable,
            "error": error,
            "accept": ", ".join(sorted({".pdf", ".ofd", ".jpg", ".jpeg", ".png"})),
        },
        status=refused_status(error) if error else 200,
    )


def _back_to_case(case: Case, material: Material) -> HttpResponse:
    return redirect(reverse("cases:case", kwargs={"case_id": case.pk}) + f"#m-{material.key}")


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def pick(request: HttpRequest, case_id: uuid.UUID, material_key: str) -> HttpResponse:
    """Choose one of the holder's valid licences for an application's material; it is attached as the
    licence's watermarked copy with trust level A."""
    case, material = _pick_context(request, case_id, material_key)
    if request.method != "POST":
        return _pick_render(request, case, material)
    try:
        if not wallet.holder_may_use(user=request.user, case=case):
            raise DomainError(
                code="licence.use_not_allowed",
                message="您的授权范围不包括“使用企业电子证照”，请上传该材料，或联系企业法定代表人授权。",
                status=403,
            )
        chosen = _uuid_or_none(request.POST.get("licence"))
        licences = wallet.licences_usable_for_case(case=case, material=material)
        licence = licences.filter(pk=chosen).first() if chosen else None
        if licence is None:
            raise DomainError(
                code="licence.not_chosen", message="请选择一份有效的电子证照；没有的，请在下方上传该材料。"
            )
        reuse.licence_attach_to_case(case=case, user=request.user, material=material, licence=licence)
    except DomainError as refused:
        return _pick_render(request, case, material, error=refused)
    messages.success(
        request,
        _("“%(material)s” is taken from your e-licence library: no upload needed.")
        % {"material": material.name},
    )
    return _back_to_case(case, material)


@require_POST
@applicant_required
def pick_upload(request: HttpRequest, case_id: uuid.UUID, material_key: str) -> HttpResponse:
    """Without such a licence the applicant uploads the material instead (trust level C)."""
    case, material = _pick_context(request, case_id, material_key)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(code="upload_missing", message="请先选择要上传的文件。")
        case_services.case_material_attach(case=case, user=request.user, material=material, upload=upload)
    except DomainError as refused:
        return _pick_render(request, case, material, error=refused)
    messages.success(request, _("“%(material)s” uploaded.") % {"material": material.name})
    return _back_to_case(case, material)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
