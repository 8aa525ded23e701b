"""Versioned publishing (services.py) and the review-time data-quality rules (quality.py)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalogue import services
from onewindow.catalogue.models import (
    CaseType,
    HandlingForm,
    Item,
    ItemVersion,
    MaterialSource,
    Necessity,
    OnlineDepth,
    VersionStatus,
)
from onewindow.catalogue.quality import item_version_quality_problems
from onewindow.catalogue.tests.factories import (
    ItemFactory,
    ItemVersionFactory,
    ThemeFactory,
    guide,
    material,
    next_basic_code,
    published_item,
)
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return UserFactory(username="editor")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer")


def draft_of(department, **overrides: Any) -> ItemVersion:
    fields = guide(**overrides)
    basic = services.basic_item_ensure(
        actor=None,
        basic_code=next_basic_code(fields["item_type"]),
        name=fields["name"],
        item_type=fields["item_type"],
    )
    return services.item_create(
        actor=None,
        basic=basic,
        department=department,
        region=department.region,
        materials=[material("id-card"), material("application-form")],
        **fields,
    )


# --- the quality rules: each with a case that breaks it and one that passes -------------------------------


def problems(version: ItemVersion) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in item_version_quality_problems(version):
        found.setdefault(problem.code, []).append(problem.field)
    return found


def version(**overrides: Any) -> ItemVersion:
    """An unsaved-rules version written directly, so rules the services would refuse can be broken."""
    return ItemVersionFactory(**overrides)


def test_a_complete_guide_has_no_problem():
    assert item_version_quality_problems(version()) == []


@pytest.mark.parametrize(
    "field", ["legal_basis", "acceptance_conditions", "result_name", "address", "office_hours"]
)
def test_required_texts(field):
    assert problems(version(**{field: " "}))["quality.required"] == [field]


@pytest.mark.parametrize("field", ["service_objects", "handling_forms"])
def test_required_code_lists(field):
    assert field in problems(version(**{field: []}))["quality.required"]


def test_promised_limit_within_statutory():
    broken = version()
    broken.promised_days, broken.statutory_days = 30, 20  # the database refuses it; the rule still names it
    assert problems(broken)["quality.promised_over_statutory"] == ["promised_days"]
    assert "quality.promised_over_statutory" not in problems(version(promised_days=20, statutory_days=20))


def test_a_promised_limit_means_a_promised_case():
    assert problems(version(promised_days=5, case_type=CaseType.IMMEDIATE))["quality.case_type"] == [
        "case_type"
    ]
    assert "quality.case_type" not in problems(version(promised_days=5, case_type=CaseType.PROMISED))


def test_an_immediate_limit_means_an_immediate_case():
    assert "quality.case_type_immediate" in problems(version(promised_days=0, case_type=CaseType.PROMISED))
    assert problems(version(promised_days=0, case_type=CaseType.IMMEDIATE)) == {}


def test_fully_online_needs_online_handling_forms():
    found = problems(version(handling_forms=[HandlingForm.WINDOW, HandlingForm.POST]))
    assert found["quality.online_depth"] == ["handling_forms"]


def test_fully_online_means_no_visit():
    found = problems(version(onsite_visits=1, onsite_reason="核验原件"))
    assert found["quality.fully_online_visits"] == ["onsite_visits"]
    passing = version(onsite_visits=1, onsite_reason="核验原件", online_depth=[OnlineDepth.ACCEPTANCE])
    assert problems(passing) == {}


def test_visits_need_a_reason():
    found = problems(version(onsite_visits=1, online_depth=[OnlineDepth.CONSULTATION]))
    assert found["quality.onsite_reason"] == ["onsite_reason"]


def test_no_visit_and_not_online_needs_postal_application():
    offline = {"online_depth": [OnlineDepth.CONSULTATION], "handling_forms": [HandlingForm.WINDOW]}
    assert problems(version(**offline))["quality.zero_visits_post"] == ["handling_forms"]
    assert problems(version(**offline | {"handling_forms": [HandlingForm.WINDOW, HandlingForm.POST]})) == {}


def test_fees_need_items_and_basis():
    found = problems(version(charges_fee=True))
    assert found["quality.fee_items"] == ["fee_items"] and found["quality.fee_basis"] == ["fee_basis"]
    assert "quality.fee_item" in problems(
        version(charges_fee=True, fee_basis="依据", fee_items=[{"name": "工本费"}])
    )
    paid = version(charges_fee=True, fee_basis="依据", fee_items=[{"name": "工本费", "standard": "10元"}])
    assert problems(paid) == {}


def test_online_payment_without_a_fee():
    assert "quality.payment_without_fee" in problems(version(supports_online_payment=True))


def test_phones_present_different_and_with_area_code():
    assert "quality.phones" in problems(version(complaint_phone=""))
    assert problems(version(complaint_phone="0591-87654321"))["quality.phones_equal"] == ["complaint_phone"]
    assert problems(version(consultation_phone="87654321"))["quality.phone_area_code"] == [
        "consultation_phone"
    ]
    assert problems(version(consultation_phone="12345", complaint_phone="12315")) == {}


def test_conditional_materials_name_their_condition():
    broken = version()
    broken.materials.create(key="lease", name="租赁合同", necessity=Necessity.CONDITIONAL)
    assert problems(broken)["quality.material_condition"] == ["materials"]
    passing = version()
    passing.materials.create(
        key="lease", name="租赁合同", necessity=Necessity.CONDITIONAL, condition="租赁场所时"
    )
    assert problems(passing) == {}


def test_elicence_materials_name_the_licence_type():
    broken = version()
    broken.materials.create(key="id-card", name="身份证", source=MaterialSource.ELICENCE)
    assert problems(broken)["quality.material_licence_type"] == ["materials"]
    passing = version()
    passing.materials.create(
        key="id-card", name="身份证", source=MaterialSource.ELICENCE, licence_type_code="111"
    )
    assert problems(passing) == {}


def test_the_form_schema_must_be_valid():
    assert problems(version(form_schema={"type": "strin"}))["quality.form_schema"] == ["form_schema"]
    assert problems(version(form_schema={})) == {}


def test_the_implementation_code_must_match_body_level_and_basic_code():
    item = ItemFactory()
    wrong_level = ItemVersionFactory(item=item, level=4)
    assert problems(wrong_level)["quality.code_level"] == ["level"]
    other = ItemFactory()
    Item.objects.filter(pk=item.pk).update(basic=other.basic, department=other.department)
    item.refresh_from_db()
    found = problems(ItemVersionFactory(item=item))
    assert "quality.code_body" in found and "quality.code_basic" in found


# --- the implementation code ------------------------------------------------------------------------------


def test_the_implementation_code_is_composed_and_validated(department_a):
    draft = draft_of(department_a)
    code = draft.item.implementation_code
    assert len(code) == 31
    assert code == f"{department_a.credit_code}3{draft.item.basic.basic_code}"
    assert draft.item.handling_code == code + "01"


def test_a_duplicate_item_is_refused_with_409(department_a):
    draft = draft_of(department_a)
    with pytest.raises(DomainError) as refused:
        services.item_create(
            actor=None, basic=draft.item.basic, department=department_a, region=department_a.region, **guide()
        )
    assert (refused.value.code, refused.value.status) == ("item.duplicate", 409)


def test_a_basic_code_must_match_the_item_type():
    with pytest.raises(DomainError) as refused:
        services.basic_item_ensure(actor=None, basic_code=next_basic_code("01"), name="x", item_type="20")
    assert refused.value.code == "basic_code.item_type_mismatch"


def test_a_promised_limit_over_the_statutory_one_is_refused_in_words(department_a):
    draft = draft_of(department_a)
    with pytest.raises(DomainError) as refused:
        services.item_version_update(actor=None, version=draft, promised_days=30)
    assert refused.value.code == "version.promised_over_statutory"


# --- draft → review → published ---------------------------------------------------------------------------


def test_draft_review_publish(department_a, editor, reviewer):
    draft = draft_of(department_a)
    assert draft.status == VersionStatus.DRAFT and draft.number == 1
    services.item_version_submit(actor=editor, version=draft)
    assert draft.status == VersionStatus.IN_REVIEW and draft.submitted_by == editor
    services.item_version_review(actor=reviewer, version=draft, approve=True, opinion="同意")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert (draft.reviewed_by, draft.review_opinion) == (reviewer, "同意")
    assert draft.published_at is not None
    assert Item.objects.get(pk=draft.item_id).published_version == draft
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    for action in ("catalogue.item_create", "catalogue.version_submit", "catalogue.version_publish"):
        assert action in actions


def test_submission_lists_every_problem(department_a, editor):
    draft = draft_of(department_a, complaint_phone="0591-87654321", supports_online_payment=True)
    with pytest.raises(DomainError) as refused:
        services.item_version_submit(actor=editor, version=draft)
    assert refused.value.code == "quality.failed"
    assert {p.code for p in refused.value.problems} == {"quality.phones_equal", "quality.payment_without_fee"}
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_self_review_is_refused(department_a, editor):
    draft = draft_of(department_a)
    services.item_version_submit(actor=editor, version=draft)
    with pytest.raises(DomainError) as refused:
        services.item_version_review(actor=editor, version=draft, approve=True)
    assert (refused.value.code, refused.value.status) == ("version.self_review", 403)


def test_sending_back_needs_an_opinion_and_the_draft_can_be_edited_again(department_a, editor, reviewer):
    draft = draft_of(department_a)
    services.item_version_submit(actor=editor, version=draft)
    with pytest.raises(DomainError) as refused:
        services.item_version_review(actor=reviewer, version=draft, approve=False, opinion="  ")
    assert refused.value.code == "version.opinion_required"
    services.item_version_review(actor=reviewer, version=draft, approve=False, opinion="请补充受理条件")
    assert draft.status == VersionStatus.REJECTED and draft.reviewed_by == reviewer
    assert AuditEntry.objects.filter(action="catalogue.version_reject").exists()
    services.item_version_update(actor=editor, version=draft, acceptance_conditions="补充后的受理条件")
    services.item_version_submit(actor=editor, version=draft)
    assert draft.status == VersionStatus.IN_REVIEW


def test_only_versions_in_review_can_be_reviewed(department_a, reviewer):
    draft = draft_of(department_a)
    with pytest.raises(DomainError) as refused:
        services.item_version_review(actor=reviewer, version=draft, approve=True)
    assert (refused.value.code, refused.value.status) == ("version.not_in_review", 409)


def test_a_published_version_never_changes(department_a):
    item = published_item(department=department_a)
    with pytest.raises(DomainError) as refused:
        services.item_version_update(actor=None, version=item.published_version, name="改名")
    assert (refused.value.code, refused.value.status) == ("version.not_editable", 409)
    with pytest.raises(DomainError):
        services.item_version_submit(actor=None, version=item.published_version)


def test_a_version_in_review_cannot_be_edited(department_a, editor):
    draft = draft_of(department_a)
    services.item_version_submit(actor=editor, version=draft)
    with pytest.raises(DomainError) as refused:
        services.item_version_update(actor=editor, version=draft, name="改名")
    assert refused.value.status == 409


def test_a_new_draft_copies_the_guide_materials_and_themes(department_a, department_b):
    theme = ThemeFactory()
    item = published_item(department=department_a, themes=[theme], joint_departments=[department_b])
    draft = services.item_version_new_draft(actor=None, item=item, change_note="压缩时限")
    published = item.published_version
    assert (draft.number, draft.status, draft.change_note) == (2, VersionStatus.DRAFT, "压缩时限")
    for name in services.GUIDE_FIELDS:
        assert getattr(draft, name) == getattr(published, name), name
    assert list(draft.themes.all()) == [theme]
    assert list(draft.joint_departments.all()) == [department_b]
    assert [(m.key, m.name) for m in draft.materials.all()] == [
        (m.key, m.name) for m in published.materials.all()
    ]
    assert AuditEntry.objects.filter(action="catalogue.version_new").exists()


def test_only_one_unpublished_version_at_a_time(department_a):
    item = published_item(department=department_a)
    services.item_version_new_draft(actor=None, item=item, change_note="一")
    with pytest.raises(DomainError) as refused:
        services.item_version_new_draft(actor=None, item=item, change_note="二")
    assert (refused.value.code, refused.value.status) == ("version.draft_exists", 409)


def test_a_later_version_needs_a_change_note(department_a):
    item = published_item(department=department_a)
    draft = services.item_version_new_draft(actor=None, item=item)
    with pytest.raises(DomainError) as refused:
        services.item_version_submit(actor=None, version=draft)
    assert refused.value.code == "version.change_note_required"
    services.item_version_update(actor=None, version=draft, change_note="调整办理地点")
    services.item_version_submit(actor=None, version=draft)
    assert draft.change_note == "调整办理地点"


def test_publishing_a_new_version_supersedes_the_old_one_which_stays_unchanged(department_a, reviewer):
    item = published_item(department=department_a, name="旧名称")
    old = item.published_version
    old_materials = [(m.pk, m.key, m.name) for m in old.materials.all()]
    draft = services.item_version_new_draft(actor=None, item=item, change_note="更名并精简材料")
    services.item_version_update(
        actor=None, version=draft, name="新名称", promised_days=3, materials=[material("id-card")]
    )
    services.item_version_submit(actor=None, version=draft)
    services.item_version_review(actor=reviewer, version=draft, approve=True)

    item.refresh_from_db()
    assert item.published_version == draft
    # A case filed under version 1 points at this row: it still exists with its own guide and materials.
    old.refresh_from_db()
    assert old.status == VersionStatus.SUPERSEDED
    assert (old.name, old.promised_days) == ("旧名称", 5)
    assert [(m.pk, m.key, m.name) for m in old.materials.all()] == old_materials
    assert [v.number for v in item.versions.filter(published_at__isnull=False).order_by("-number")] == [2, 1]


def test_editing_a_draft_is_audited_with_what_changed(department_a, editor):
    draft = draft_of(department_a)
    services.item_version_update(actor=editor, version=draft, name="新名称")
    entry = AuditEntry.objects.filter(action="catalogue.version_update").get()
    assert entry.changes["name"] == ["测试许可事项", "新名称"]


def test_duplicate_material_keys_are_refused(department_a):
    draft = draft_of(department_a)
    with pytest.raises(DomainError) as refused:
        services.item_version_update(
            actor=None, version=draft, materials=[material("id-card"), material("id-card")]
        )
    assert refused.value.code == "material.duplicate_key"
