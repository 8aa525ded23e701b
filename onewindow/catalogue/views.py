"""The citizen-facing catalogue (办事指南): browse by department, theme, life event and region; search; the item
guide with its printable PDF and application form; life-event bundles. The published lists are in ``list_views``."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.catalogue import forms_render
from onewindow.catalogue import search as catalogue_search
from onewindow.catalogue.models import (
    Audience,
    Bundle,
    CaseType,
    CrossRegionScope,
    HandlingForm,
    Item,
    ItemType,
    ItemVersion,
    OnlineDepth,
    ResultType,
    ServiceObject,
)
from onewindow.catalogue.pdf import pdf_render, pdf_response
from onewindow.catalogue.prefill import form_prefill_for
from onewindow.catalogue.public_cache import public_generation
from onewindow.catalogue.public_pages import public_page
from onewindow.catalogue.selectors import (
    bundle_get,
    bundle_materials,
    bundle_merged_form,
    bundles_published,
    item_faq,
    item_joint_departments,
    item_published_get,
    item_published_head,
    item_versions_public_log,
    items_published,
    rating_summary,
    theme_names,
    themes_list,
)
from onewindow.core.errors import NotFound
from onewindow.identity.models import AssuranceLevel
from onewindow.identity.selectors import assurance_shortfall
from onewindow.organisations.models import ExerciseLevel, Region, RegionLevel
from onewindow.organisations.selectors import REGION_PREFIX_LENGTH, department_get, departments_list

PAGE_SIZE = 20
HOME_POPULAR = 12


def _found(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A record the citizen may not see (unknown or unpublished) is a plain 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapped


def _guide(item: Item) -> ItemVersion:
    """The published guide of an item that came from a published-items selector."""
    if item.published_version is None:
        raise Http404
    return item.published_version


def _page(request: HttpRequest, rows: QuerySet | Sequence, param: str = "page") -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def _labels(choices: Any, codes: Iterable[Any]) -> list[str]:
    """Code-list values as their labels; an unknown code (old imported data) shows as itself."""
    known = dict(choices.choices)
    return [str(known.get(code, code)) for code in codes or []]


# --- browsing --------------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The catalogue's front page: departments, themes, life events, regions and what people apply for most."""
    departments = (
        departments_list()
        .annotate(item_count=Count("items", filter=Q(items__published_version__isnull=False)))
        .filter(item_count__gt=0)
    )
    regions = (
        Region.objects.filter(items__published_version__isnull=False)
        .annotate(item_count=Count("items"))
        .order_by("code")
    )
    themes = list(themes_list())
    return render(
        request,
        "catalogue/home.html",
        {
            "departments": departments,
            "regions": regions,
            "person_themes": [t for t in themes if t.audience == Audience.PERSON],
            "company_themes": [t for t in themes if t.audience == Audience.COMPANY],
            "bundles": Bundle.objects.filter(is_published=True)[:HOME_POPULAR],
            "popular": items_published()[:HOME_POPULAR],
        },
    )


def _item_list(request: HttpRequest, *, title: str, items: QuerySet[Item], **extra: Any) -> HttpResponse:
    return render(
        request, "catalogue/item_list.html", {"title": title, "page": _page(request, items), **extra}
    )


@require_safe
@_found
def department(request: HttpRequest, department_id: str) -> HttpResponse:
    """Every published item of one implementing body."""
    body = department_get(department_id=department_id)
    return _item_list(
        request,
        title=body.name,
        items=items_published().filter(department=body),
        department=body,
        rating_summary=rating_summary(department=body),
    )


@require_safe
def theme(request: HttpRequest, code: str) -> HttpResponse:
    """Every published item under a 自然人 / 法人 theme."""
    chosen = get_object_or_404(themes_list(), code=code)
    items = items_published().filter(published_version__themes=chosen)
    return _item_list(request, title=chosen.name, items=items, theme=chosen)


@require_safe
def region(request: HttpRequest, code: str) -> HttpResponse:
    """Every published item implemented in a region or the regions below it."""
    place = get_object_or_404(Region, code=code)
    prefix = place.code[: REGION_PREFIX_LENGTH[RegionLevel(place.level)]]
    items = items_published().filter(region__code__startswith=prefix)
    return _item_list(request, title=place.name, items=items, region=place)


@require_safe
@public_page
def search(request: HttpRequest) -> HttpResponse:
    """The search box: ranked items and life events, "did you mean" suggestions, and matching departments."""
    q = (request.GET.get("q") or "").strip()[:100]

    def results() -> dict[str, Any]:
        result = catalogue_search.search_catalogue_cached(q, 50) if q else None
        hits: list[dict[str, Any]] = []
        if result and result.hits:
            item_refs = [h.ref for h in result.hits if h.kind == "item"]
            bundle_refs = [h.ref for h in result.hits if h.kind == "bundle"]
            items = {
                i.implementation_code: i for i in items_published().filter(implementation_code__in=item_refs)
            }
            bundles = {b.code: b for b in Bundle.objects.filter(is_published=True, code__in=bundle_refs)}
            for hit in result.hits:
                record = (items if hit.kind == "item" else bundles).get(hit.ref)
                if record is not None:
                    hits.append({"kind": hit.kind, "record": record})
        return {
            "hits": hits,
            "corrected_query": result.corrected_query if result else None,
            "suggestions": result.suggestions if result else [],
            "departments": list(departments_list(q=q)[:10]) if q else [],
        }

    # Lazy: the results are a fragment cached under the publication generation (search.html); a cached
    # search reads nothing here and renders no result card (half of a search page, issue #18).
    loaded = SimpleLazyObject(results)
    context: dict[str, Any] = {
        key: SimpleLazyObject(partial(operator.getitem, loaded, key))
        for key in ("hits", "corrected_query", "suggestions", "departments")
    }
    context |= {"q": q, "public_generation": public_generation()}
    return render(request, "catalogue/search.html", context)


# --- the item guide ------------------------------------------------------------------------------------


def guide_context(item: Item) -> dict[str, Any]:
    """Everything the guide shows, for the web page and the printable PDF alike."""
    version = _guide(item)
    materials = list(version.materials.all())
    return {
        "item": item,
        "version": version,
        "materials": materials,
        "materials_to_bring": [m for m in materials if m.asked_as_upload],
        "item_type": dict(ItemType.choices).get(version.item_type, version.item_type),
        "level": dict(ExerciseLevel.choices).get(version.level, version.level),
        "case_type": dict(CaseType.choices).get(version.case_type, version.case_type),
        "is_immediate": version.case_type == CaseType.IMMEDIATE,
        "service_objects": _labels(ServiceObject, version.service_objects),
        "handling_forms": _labels(HandlingForm, version.handling_forms),
        "online_depth": _labels(OnlineDepth, version.online_depth),
        "result_type": dict(ResultType.choices).get(version.result_type, version.result_type),
        "cross_region": dict(CrossRegionScope.choices).get(version.cross_region_scope, ""),
        "assurance": dict(AssuranceLevel.choices).get(version.min_assurance_level, ""),
        "themes": theme_names(version.themes.all()),
        "joint_departments": item_joint_departments(item=item, version=version),
        "intermediaries": list(item.intermediary_services.select_related("department")),
        "faq": item_faq(item=item, version=version),
        "fee_items": [entry for entry in version.fee_items if isinstance(entry, dict)],
        "has_form": bool((version.form_schema or {}).get("properties")),
    }


@require_safe
@public_page
@_found
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The full guide, downloads, the public change log and the way to apply."""
    item = item_published_head(implementation_code=code)

    def body() -> dict[str, Any]:
        full = item_published_get(implementation_code=code)
        return guide_context(full) | {
            "change_log": list(item_versions_public_log(item=full)),
            "bundles": [bundle for bundle in full.bundles.all() if bundle.is_published],
            # 好评率 from the ratings app's monthly counters: cached with the body (at most 300 s old).
            "rating_summary": rating_summary(item=full),
        }

    # The guide's body is a fragment cached under the publication generation (item_detail.html): every value
    # it reads is lazy, so a cached guide costs one query (the item for the title), not nine (issue #18).
    loaded = SimpleLazyObject(body)
    context: dict[str, Any] = {
        key: SimpleLazyObject(partial(operator.getitem, loaded, key)) for key in GUIDE_BODY_KEYS
    }
    context |= {"item": item, "version": _guide(item), "public_generation": public_generation()}
    return render(request, "catalogue/item_detail.html", context)


# What the guide's body reads besides ``item`` and ``version`` (guide_context and the page's own lists).
GUIDE_BODY_KEYS = (
    "materials", "materials_to_bring", "item_type", "level", "case_type", "is_immediate", "service_objects",
    "handling_forms", "online_depth", "result_type", "cross_region", "assurance", "themes", "joint_departments",
    "intermediaries", "faq", "fee_items", "has_form", "change_log", "bundles", "rating_summary",
)  # fmt: skip


@require_safe
@_found
def item_guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The printable guide (A4): the same template include as the web page."""
    item = item_published_get(implementation_code=code)
    return pdf_response(guide_pdf(item), f"{_guide(item).name}-办事指南.pdf")


def guide_pdf(item: Item) -> bytes:
    """The printable guide's PDF, drawn once per guide text and then served from the PDF cache."""
    page = reverse("catalogue:item", kwargs={"code": item.implementation_code})
    context = guide_context(item) | {"guide_url": f"{settings.ONEWINDOW_PUBLIC_BASE_URL}{page}"}
    return pdf_render("catalogue/pdf/guide.html", context, cached=True)


def form_pdf(item: Item, mode: str, data: dict[str, Any] | None = None) -> bytes:
    """The application form as a PDF: blank, sample (both public, cached) or filled in (never cached)."""
    version = _guide(item)
    if mode == "sample":
        data = forms_render.form_sample_data(version.form_schema)
    fields = forms_render.schema_to_fields(version.form_schema, version.form_ui, data=data)
    context = {"item": item, "version": version, "fields": fields, "mode": mode}
    return pdf_render("catalogue/pdf/form.html", context, cached=mode in {"blank", "sample"})


@require_safe
@_found
def item_file(request: HttpRequest, code: str, what: str, key: str = "") -> HttpResponseBase:
    """A file attached to the published guide: a material's blank form or filled sample, the result sample."""
    version = _guide(item_published_get(implementation_code=code))
    upload: FieldFile | None = None
    if what == "result-sample":
        upload = version.result_sample
    else:
        material = next((m for m in version.materials.all() if m.key == key), None)
        if material is not None:
            upload = material.blank_form if what == "blank" else material.sample
    if upload is None or not upload.name:
        raise Http404
    return FileResponse(upload.open("rb"), as_attachment=True, filename=upload.name.rsplit("/", 1)[-1])


def _form_item(code: str) -> Item:
    item = item_published_get(implementation_code=code)
    if not (_guide(item).form_schema or {}).get("properties"):
        raise NotFound("该事项没有在线填写的申请表。")
    return item


def _form_pdf(item: Item, data: dict[str, Any] | None, mode: str, filename: str) -> HttpResponse:
    content = form_pdf(item, mode, data)
    return pdf_response(content, f"{_guide(item).name}-{filename}.pdf", as_attachment=True)


@require_safe
@_found
def item_form_pdf(request: HttpRequest, code: str, mode: str) -> HttpResponse:
    """The application form as a PDF to print and fill by hand (blank) or to see filled in (sample)."""
    item = _form_item(code)
    if mode == "sample":
        return _form_pdf(item, None, "sample", "申请表示范文本")
    return _form_pdf(item, None, "blank", "申请表")


@require_http_methods(["GET", "HEAD", "POST"])
@_found
def item_form(request: HttpRequest, code: str) -> HttpResponse:
    """Fill in the application form online: checked on the server, then downloadable as a filled PDF.

    Nothing is stored here; submitting a case is the cases module's job. The form is open to everyone (to print
    and bring to a window); people below the item's assurance level see how to step up for applying online.
    """
    item = _form_item(code)
    version = _guide(item)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = forms_render.form_data_from_post(version.form_schema, request.POST)
        errors = forms_render.form_errors(version.form_schema, data)
    else:
        # Whatever the platform knows about a signed-in applicant is filled in (避免重复录入).
        company = getattr(getattr(request, "principal", None), "company", None)
        data = forms_render.form_prefill(version.form_ui, request.user) | form_prefill_for(
            schema=version.form_schema, ui=version.form_ui, user=request.user, company=company
        )
    fields = forms_render.schema_to_fields(version.form_schema, version.form_ui, data=data, errors=errors)
    valid = request.method == "POST" and not errors
    return render(
        request,
        "catalogue/form.html",
        {
            "item": item,
            "version": version,
            "fields": fields,
            "error_list": _error_list(fields),
            "valid": valid,
            "data_json": json.dumps(data, ensure_ascii=False) if valid else "",
            # Anyone may fill in and print the form; applying online needs the item's assurance level, so
            # whoever is short of it is offered the step up here rather than refused later.
            "shortfall": assurance_shortfall(request.user, version.min_assurance_level),
        },
        status=400 if errors else 200,
    )


def _error_list(fields: list[forms_render.FormField]) -> list[tuple[forms_render.FormField, str]]:
    """(field, message) pairs for the summary at the top of the form, in field order."""
    pairs = []
    for form_field in fields:
        pairs += [(form_field, message) for message in form_field.errors]
        pairs += _error_list(form_field.children)
    return pairs


@require_POST
@_found
def item_form_filled_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The filled form as a PDF: the data checked on the form page, checked again here."""
    item = _form_item(code)
    try:
        data = json.loads(request.POST.get("data") or "")
    except ValueError:
        data = None
    schema = _guide(item).form_schema
    if not isinstance(data, dict) or forms_render.form_errors(schema, data):
        return HttpResponseBadRequest("申请表内容不完整或有误，请返回重新填写。", content_type="text/plain")
    return _form_pdf(item, data, "filled", "申请表（已填写）")


# --- life-event bundles ----------------------------------------------------------------------------


@require_safe
def bundle_list(request: HttpRequest) -> HttpResponse:
    """Every published life event (一件事), for people and for companies."""
    bundles = list(bundles_published())
    return render(
        request,
        "catalogue/bundle_list.html",
        {
            "person_bundles": [b for b in bundles if b.audience == Audience.PERSON],
            "company_bundles": [b for b in bundles if b.audience == Audience.COMPANY],
        },
    )


@require_safe
@_found
def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One merged guide: stages of items handled in parallel, the departments, one material checklist."""
    bundle = bundle_get(code=code)
    entries = [e for e in bundle.entries.all() if e.item.published_version_id]
    stages: dict[int, list[Any]] = {}
    for entry in entries:
        stages.setdefault(entry.stage, []).append(entry)
    # Items within a stage run in parallel: a stage takes as long as its slowest item.
    stage_rows = [
        {"number": n, "entries": group, "days": max(_guide(e.item).promised_days for e in group)}
        for n, group in sorted(stages.items())
    ]
    departments = list(dict.fromkeys(entry.item.department for entry in entries))
    materials = bundle_materials(bundle=bundle)
    return render(
        request,
        "catalogue/bundle_detail.html",
        {
            "bundle": bundle,
            "stages": stage_rows,
            "entry_count": len(entries),
            "total_days": sum(stage["days"] for stage in stage_rows),
            "departments": departments,
            "materials": [(m, items) for m, items in materials if m.asked_as_upload],
            "materials_from_platform": [(m, items) for m, items in materials if m.obtained_by_platform],
            "materials_generated": [(m, items) for m, items in materials if m.generated_online],
            "shared_fields": bundle_merged_form(bundle=bundle).shared,
        },
    )
