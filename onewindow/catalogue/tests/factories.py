"""Catalogue factories. ``published_item()`` goes through the services (quality rules, codes, audit) and is
what most tests want; the model factories build consistent rows directly for tests that need odd states."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from onewindow.catalogue import services
from onewindow.catalogue.models import (
    Audience,
    BasicItem,
    Bundle,
    BundleItem,
    CaseType,
    HandlingForm,
    Item,
    ItemType,
    ItemVersion,
    Material,
    MaterialSource,
    OnlineDepth,
    ResultType,
    ServiceObject,
    Theme,
    VersionStatus,
)
from onewindow.core import clock
from onewindow.organisations.models import ExerciseLevel
from tests.factories import DepartmentFactory

_main_numbers = itertools.count(90001)


def next_basic_code(item_type: str = ItemType.LICENSING) -> str:
    """A fresh valid basic code (national prefix 00, the item type's digits, a test-only main number)."""
    return f"00{item_type}{next(_main_numbers) % 100000:05d}000"


def guide(**overrides: Any) -> dict[str, Any]:
    """Guide fields that pass every quality rule: a fully online licensing item, free, promised in 5 days."""
    fields: dict[str, Any] = {
        "name": "测试许可事项",
        "item_type": ItemType.LICENSING,
        "level": ExerciseLevel.MUNICIPAL,
        "legal_basis": "《中华人民共和国行政许可法》第十二条",
        "acceptance_conditions": "申请人具有完全民事行为能力，材料齐全、符合法定形式。",
        "process_description": "申请—受理—审查—决定—送达",
        "keywords": "测试 许可",
        "statutory_days": 20,
        "promised_days": 5,
        "case_type": CaseType.PROMISED,
        "service_objects": [ServiceObject.NATURAL_PERSON, ServiceObject.ENTERPRISE],
        "handling_forms": [HandlingForm.WINDOW, HandlingForm.ONLINE_PC, HandlingForm.ONLINE_MOBILE],
        "online_depth": [OnlineDepth.CONSULTATION, OnlineDepth.ACCEPTANCE, OnlineDepth.HANDLING],
        "onsite_visits": 0,
        "result_name": "准予许可决定书",
        "result_type": ResultType.DOCUMENT,
        "address": "福州市鼓楼区乌山路96号福州市行政服务中心",
        "office_hours": "周一至周五 8:30–12:00，14:30–17:30（法定节假日除外）",
        "consultation_phone": "0591-87654321",
        "complaint_phone": "0591-12345",
        "form_schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "申请表",
            "type": "object",
            "required": ["applicant_name"],
            "properties": {"applicant_name": {"type": "string", "title": "申请人姓名"}},
        },
        "form_ui": {"order": ["applicant_name"]},
    }
    fields.update(overrides)
    return fields


def material(key: str = "id-card", **overrides: Any) -> dict[str, Any]:
    """One material dict for ``item_create(materials=[...])``."""
    names = {"id-card": "居民身份证", "application-form": "申请表", "business-licence": "营业执照"}
    fields: dict[str, Any] = {"key": key, "name": names.get(key, key), "originals": 1, "copies": 0}
    fields.update(overrides)
    return fields


def published_item(
    *,
    department: Any = None,
    region: Any = None,
    basic_code: str | None = None,
    materials: list[dict[str, Any]] | None = None,
    themes: list[Theme] | None = None,
    joint_departments: list[Any] | None = None,
    popularity: int = 0,
    **overrides: Any,
) -> Item:
    """A valid item with a published version 1, created through draft → submit → review like real data."""
    fields = guide(**overrides)
    department = department or DepartmentFactory()
    basic = services.basic_item_ensure(
        actor=None,
        basic_code=basic_code or next_basic_code(fields["item_type"]),
        name=fields["name"],
        item_type=fields["item_type"],
    )
    version = services.item_create(
        actor=None,
        basic=basic,
        department=department,
        region=region or department.region,
        materials=[material("id-card"), material("application-form")] if materials is None else materials,
        themes=themes,
        joint_departments=joint_departments,
        **fields,
    )
    services.item_version_submit(actor=None, version=version)
    services.item_version_review(actor=None, version=version, approve=True)
    item = version.item
    if popularity:
        Item.objects.filter(pk=item.pk).update(popularity=popularity)
    item.refresh_from_db()
    return item


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"主题{n}")
    audience = Audience.PERSON


class BasicItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasicItem
        django_get_or_create = ("basic_code",)

    item_type = ItemType.LICENSING
    basic_code = factory.LazyAttribute(lambda o: next_basic_code(o.item_type))
    name = factory.Sequence(lambda n: f"基本事项{n}")


class ItemFactory(factory.django.DjangoModelFactory):
    """An item without versions; its implementation code is consistent with department, level and basic."""

    class Meta:
        model = Item

    class Params:
        level = ExerciseLevel.MUNICIPAL

    basic = factory.SubFactory(BasicItemFactory)
    department = factory.SubFactory(DepartmentFactory)
    region = factory.SelfAttribute("department.region")
    implementation_code = factory.LazyAttribute(
        lambda o: f"{o.department.credit_code}{o.level}{o.basic.basic_code}"
    )


class ItemVersionFactory(factory.django.DjangoModelFactory):
    """A guide version written directly (no quality check); ``published=True`` also points the item at it."""

    class Meta:
        model = ItemVersion
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=VersionStatus.PUBLISHED, published_at=factory.LazyFunction(clock.now)
        )

    item = factory.SubFactory(ItemFactory)
    number = factory.Sequence(lambda n: n + 1)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        return (
            guide(**{"name": kwargs["item"].basic.name, "item_type": kwargs["item"].basic.item_type}) | kwargs
        )

    @factory.post_generation
    def point_item(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and self.status == VersionStatus.PUBLISHED:
            Item.objects.filter(pk=self.item_id).update(published_version=self)
            self.item.published_version = self


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    version = factory.SubFactory(ItemVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    key = factory.Sequence(lambda n: f"material-{n}")
    name = factory.Sequence(lambda n: f"材料{n}")
    source = MaterialSource.APPLICANT


class BundleFactory(factory.django.DjangoModelFactory):
    """A bundle; pass ``items=[item, …]`` (published items) to add them, each in its own stage."""

    class Meta:
        model = Bundle
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"bundle-{n}")
    name = factory.Sequence(lambda n: f"一件事{n}")
    audience = Audience.PERSON
    description = "测试用“一件事”。"

    @factory.post_generation
    def items(self, create: bool, extracted: list[Item] | None, **kwargs: object) -> None:
        if create and extracted:
            BundleItem.objects.bulk_create(
                BundleItem(bundle=self, item=item, order=order, stage=order)
                for order, item in enumerate(extracted, start=1)
            )
