"""The demo service catalogue: real items of 福州市 departments, life-event bundles, the negative list and the
intermediary directory. Loaded through ``catalogue.services`` (codes and quality rules enforced, audited), and
only where missing, so loading again never overwrites an edited item."""

from __future__ import annotations

from typing import Any

from onewindow.catalogue import services
from onewindow.catalogue.models import (
    Audience,
    Bundle,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    NegativeListEntry,
    Theme,
)
from onewindow.core.identifiers import credit_code_check_digit, organisation_code_check_digit
from onewindow.demo.catalogue import business, construction, people, social
from onewindow.demo.catalogue.common import COMPANY_THEMES, PERSON_THEMES
from onewindow.demo.catalogue.lists import (
    BUNDLE_FIELD_MAPS,
    BUNDLES,
    INSTITUTIONS,
    INTERMEDIARY_SERVICES,
    NEGATIVE_LIST,
)
from onewindow.organisations.models import Department, Region

ITEMS: list[dict[str, Any]] = business.ITEMS + people.ITEMS + social.ITEMS + construction.ITEMS


def implementation_code(spec: dict[str, Any], department: Department) -> str:
    """The implementation code an item spec gets at its department."""
    level = spec["guide"].get("level", department.level)
    return f"{department.credit_code}{level}{spec['basic_code']}"


def _themes_ensure(created: dict[str, int]) -> dict[str, Theme]:
    themes = {theme.code: theme for theme in Theme.objects.all()}
    for audience, entries in ((Audience.PERSON, PERSON_THEMES), (Audience.COMPANY, COMPANY_THEMES)):
        for order, (code, name) in enumerate(entries, start=1):
            if code not in themes:
                themes[code] = Theme.objects.create(code=code, name=name, audience=audience, order=order)
                created["themes"] += 1
    return themes


def _item_publish(
    spec: dict[str, Any], department: Department, themes: dict[str, Theme], departments: dict[str, Department]
) -> Item:
    guide = {"level": department.level} | spec["guide"]
    basic = services.basic_item_ensure(
        actor=None, basic_code=spec["basic_code"], name=guide["name"], item_type=guide["item_type"]
    )
    version = services.item_create(
        actor=None,
        basic=basic,
        department=department,
        region=department.region,
        materials=spec["materials"],
        themes=[themes[code] for code in spec["themes"]],
        joint_departments=[departments[key] for key in spec["joint"]],
        **guide,
    )
    services.item_version_submit(actor=None, version=version)
    services.item_version_review(actor=None, version=version, approve=True, opinion="示范数据，经审核发布。")
    Item.objects.filter(pk=version.item_id).update(popularity=spec["popularity"])
    return Item.objects.get(pk=version.item_id)


def _institution_credit_code(org8: str, region: str) -> str:
    # 91 = 工商登记 · 企业 (GB 32100 table 1).
    body = f"91{region}{org8}{organisation_code_check_digit(org8)}"
    return body + credit_code_check_digit(body)


def catalogue_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create whatever part of the demo catalogue is missing; return how many of each thing were created."""
    created = {"themes": 0, "items": 0, "bundles": 0, "negative_list": 0, "intermediaries": 0}
    themes = _themes_ensure(created)
    existing = {item.implementation_code: item for item in Item.objects.all()}
    items: dict[str, Item] = {}
    for spec in ITEMS:
        department = departments[spec["dept"]]
        code = implementation_code(spec, department)
        if code in existing:
            items[spec["key"]] = existing[code]
            continue
        items[spec["key"]] = _item_publish(spec, department, themes, departments)
        created["items"] += 1

    known_bundles = set(Bundle.objects.values_list("code", flat=True))
    for code, name, audience, description, keywords, popularity, entries in BUNDLES:
        if code in known_bundles:
            continue
        bundle = services.bundle_save(
            actor=None,
            code=code,
            name=name,
            audience=audience,
            description=description,
            keywords=keywords,
            items=[(items[key], stage, optional) for key, stage, optional in entries],
            field_map={
                items[key].implementation_code: overrides
                for key, overrides in BUNDLE_FIELD_MAPS.get(code, {}).items()
            },
        )
        Bundle.objects.filter(pk=bundle.pk).update(popularity=popularity)
        created["bundles"] += 1

    for code, category, title, measures, basis, keys in NEGATIVE_LIST:
        entry, new = NegativeListEntry.objects.get_or_create(
            code=code,
            defaults={"category": category, "title": title, "measures": measures, "legal_basis": basis},
        )
        if new:
            entry.items.set([items[key] for key in keys])
            created["negative_list"] += 1

    city = Region.objects.get(code="350100")
    services_by_code = {}
    for code, name, basis, fee_basis, days, dept, keys in INTERMEDIARY_SERVICES:
        service, new = IntermediaryService.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "fee_basis": fee_basis,
                "time_limit_days": days,
                "department": departments[dept],
            },
        )
        if new:
            service.items.set([items[key] for key in keys])
            created["intermediaries"] += 1
        services_by_code[code] = service
    for name, org8, qualification, phone, address, codes in INSTITUTIONS:
        institution, new = IntermediaryInstitution.objects.get_or_create(
            credit_code=_institution_credit_code(org8, city.code),
            defaults={
                "name": name,
                "qualification": qualification,
                "phone": phone,
                "address": address,
                "region": city,
            },
        )
        if new:
            institution.services.set([services_by_code[code] for code in codes])
    return created
