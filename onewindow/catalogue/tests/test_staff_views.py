"""The catalogue workbench: who may do what, the guide editor, submission with quality problems, the review."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from onewindow.catalogue import services
from onewindow.catalogue.models import Item, ItemVersion, Material, VersionStatus
from onewindow.catalogue.tests.factories import guide, material, next_basic_code, published_item
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def dept_admin_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="deptadmin_a", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user


@pytest.fixture
def draft(department_a) -> ItemVersion:
    """A draft v1 of department A that passes every quality rule."""
    fields = guide(name="食品经营许可")
    basic = services.basic_item_ensure(
        actor=None, basic_code=next_basic_code(), name=fields["name"], item_type=fields["item_type"]
    )
    return services.item_create(
        actor=None,
        basic=basic,
        department=department_a,
        region=department_a.region,
        materials=[material("id-card"), material("application-form")],
        **fields,
    )


def editor_post(client, version: ItemVersion, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser posts it: the page's current values, with ``overrides`` applied."""
    response = client.get(reverse("catalogue_staff:version_edit", args=[version.pk]))
    assert response.status_code == 200
    context = response.context
    data: dict[str, Any] = {}
    editor = context["editor"]
    for form in [editor["guide"], *editor["fees"], *editor["faq"], *editor["materials"]]:
        for bound in form:
            value = bound.value()
            if bound.widget_type == "file" or value is None or value is False:
                continue
            if bound.widget_type == "checkbox":
                data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
            else:
                data[bound.html_name] = value
    for name in ("fees", "faq", "materials"):
        for field in editor[name].management_form:
            data[field.html_name] = field.value()
    data.update(overrides)
    return data


# --- who may do what -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["item_list", "item_create", "review_queue"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"catalogue_staff:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["item_list", "item_create", "review_queue"])
def test_staff_without_a_catalogue_role_are_refused(client_as, clerk_a, name):
    assert client_as(clerk_a).get(reverse(f"catalogue_staff:{name}")).status_code == 403


def test_department_admins_may_not_open_the_review_queue(client_as, dept_admin_a):
    assert client_as(dept_admin_a).get(reverse("catalogue_staff:review_queue")).status_code == 403


def test_department_admins_see_only_their_departments_items(
    client_as, dept_admin_a, department_a, department_b
):
    own = published_item(department=department_a, name="本部门事项")
    other = published_item(department=department_b, name="他部门事项")
    client = client_as(dept_admin_a)
    response = client.get(reverse("catalogue_staff:item_list"))
    assert response.status_code == 200
    assert "本部门事项" in response.text and "他部门事项" not in response.text
    assert client.get(reverse("catalogue_staff:item_detail", args=[own.pk])).status_code == 200
    # Another department's item does not exist for him.
    assert client.get(reverse("catalogue_staff:item_detail", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("catalogue_staff:version_edit", args=[other.published_version_id])).status_code
        == 404
    )


def test_platform_admins_see_every_department(client_as, platform_admin, department_a, department_b):
    published_item(department=department_a, name="本部门事项")
    published_item(department=department_b, name="他部门事项")
    response = client_as(platform_admin).get(reverse("catalogue_staff:item_list"))
    assert "本部门事项" in response.text and "他部门事项" in response.text


def test_workbench_home_links_the_catalogue_for_department_admins_only(client_as, dept_admin_a, clerk_a):
    assert reverse("catalogue_staff:item_list") in client_as(dept_admin_a).get(reverse("workbench:home")).text
    assert reverse("catalogue_staff:item_list") not in client_as(clerk_a).get(reverse("workbench:home")).text


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_type_department_and_search(
    client_as, platform_admin, department_a, draft
):
    published_item(department=department_a, name="户外广告设施设置审批")
    client = client_as(platform_admin)
    url = reverse("catalogue_staff:item_list")
    assert "食品经营许可" in client.get(url, {"status": "draft"}).text
    assert "户外广告" not in client.get(url, {"status": "draft"}).text
    assert "户外广告" in client.get(url, {"status": "published"}).text
    assert "食品经营许可" in client.get(url, {"q": "食品"}).text
    assert "户外广告" not in client.get(url, {"q": "食品"}).text
    assert "食品经营许可" in client.get(url, {"q": draft.item.implementation_code[-12:]}).text
    assert "食品经营许可" in client.get(url, {"department": str(department_a.pk), "item_type": "01"}).text
    assert "食品经营许可" not in client.get(url, {"item_type": "20"}).text


def test_the_list_takes_the_same_number_of_queries_for_any_page_size(
    client_as, platform_admin, department_a, django_assert_max_num_queries
):
    for n in range(30):
        published_item(department=department_a, name=f"事项{n}")
    client = client_as(platform_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogue_staff:item_list"))
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25
    assert "page=2" in response.text


# --- creating and editing ----------------------------------------------------------------------------


def create_data(department, **overrides: Any) -> dict[str, Any]:
    fields = guide()
    data = {
        "basic_code": next_basic_code(),
        "name": "新建许可事项",
        "item_type": "01",
        "department": str(department.pk),
        "level": "3",
        "region": "",
        **{
            name: fields[name]
            for name in (
                "legal_basis",
                "acceptance_conditions",
                "statutory_days",
                "promised_days",
                "case_type",
                "result_name",
                "result_type",
                "address",
                "office_hours",
                "consultation_phone",
                "complaint_phone",
            )
        },
        "service_objects": ["1"],
        "handling_forms": ["1", "2"],
    }
    return data | overrides


def test_a_department_admin_creates_a_draft_in_his_department(client_as, dept_admin_a, department_a):
    response = client_as(dept_admin_a).post(reverse("catalogue_staff:item_create"), create_data(department_a))
    item = Item.objects.get()
    version = item.versions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue_staff:version_edit", args=[version.pk])
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert item.implementation_code.startswith(department_a.credit_code + "3")
    assert item.region == department_a.region


def test_creating_in_another_department_is_refused(client_as, dept_admin_a, department_b):
    response = client_as(dept_admin_a).post(reverse("catalogue_staff:item_create"), create_data(department_b))
    assert response.status_code == 400
    assert not Item.objects.exists()


def test_a_basic_code_that_does_not_match_the_type_is_explained(client_as, dept_admin_a, department_a):
    response = client_as(dept_admin_a).post(
        reverse("catalogue_staff:item_create"), create_data(department_a, item_type="20")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["basic_code"]
    assert not Item.objects.exists()


def test_a_duplicate_item_is_refused_with_the_code(client_as, dept_admin_a, department_a, draft):
    data = create_data(department_a, basic_code=draft.item.basic.basic_code)
    response = client_as(dept_admin_a).post(reverse("catalogue_staff:item_create"), data)
    assert response.status_code == 400
    assert draft.item.implementation_code in response.text


def test_the_editor_saves_every_part_of_the_guide(client_as, dept_admin_a, draft):
    client = client_as(dept_admin_a)
    data = editor_post(
        client,
        draft,
        name="食品经营许可（新办）",
        online_depth=["1", "4", "5"],
        charges_fee="on",
        supports_online_payment="on",
        fee_basis="《收费标准》",
        **{
            "fees-0-name": "工本费",
            "fees-0-standard": "10元/证",
            "fees-0-waivable": "on",
            "faq-0-q": "需要本人到场吗？",
            "faq-0-a": "不需要，可全程网办。",
            "materials-2-key": "lease",
            "materials-2-name": "经营场所使用证明",
            "materials-2-necessity": "conditional",
            "materials-2-condition": "租赁场所时提供",
            "materials-2-form": "both",
            "materials-2-originals": "1",
            "materials-2-copies": "1",
            "materials-2-source": "applicant",
            "materials-2-ORDER": "1",
            "materials-0-DELETE": "on",
        },
    )
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("error")
    draft.refresh_from_db()
    assert draft.name == "食品经营许可（新办）"
    assert draft.fee_items == [{"name": "工本费", "standard": "10元/证", "basis": "", "waivable": True}]
    assert draft.faq == [{"q": "需要本人到场吗？", "a": "不需要，可全程网办。"}]
    assert [m.key for m in draft.materials.order_by("order")] == ["lease", "application-form"]
    assert draft.status == VersionStatus.DRAFT


def test_an_invalid_json_schema_is_explained_and_nothing_is_saved(client_as, dept_admin_a, draft):
    client = client_as(dept_admin_a)
    data = editor_post(
        client, draft, form_schema='{"type": "object", "properties": {"a": {"type": "strin"}}}'
    )
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "JSON Schema" in str(response.context["editor"]["guide"].errors["form_schema"])
    draft.refresh_from_db()
    assert draft.form_schema["properties"]["applicant_name"]["type"] == "string"


def test_broken_json_is_explained(client_as, dept_admin_a, draft):
    client = client_as(dept_admin_a)
    data = editor_post(client, draft, form_ui='{"order": [')
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert response.context["editor"]["guide"].errors["form_ui"]


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_uploads_are_checked_by_content_and_kept_across_saves(
    client_as, dept_admin_a, draft, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    client = client_as(dept_admin_a)
    data = editor_post(client, draft)
    data["materials-1-blank_form"] = upload("申请表.docx", docx_bytes())
    data["result_sample"] = upload("样本.png", PNG)
    assert client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data).status_code == 302
    form = draft.materials.get(key="application-form").blank_form
    assert form.name.endswith(".docx") and form.storage.exists(form.name)
    # Saved again without a new upload: the files stay.
    assert (
        client.post(
            reverse("catalogue_staff:version_edit", args=[draft.pk]), editor_post(client, draft)
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.materials.get(key="application-form").blank_form.name == form.name
    assert draft.result_sample.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content"),
    [("form.pdf", b"MZ\x90\x00 an executable"), ("form.docx", b"PK\x03\x04 not a zip"), ("x.pdf", b"")],
)
def test_uploads_that_are_not_documents_are_refused(client_as, dept_admin_a, draft, name, content):
    client = client_as(dept_admin_a)
    data = editor_post(client, draft)
    data["materials-0-sample"] = upload(name, content)
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert not draft.materials.exclude(sample="").exists()


def test_a_large_upload_is_refused(client_as, dept_admin_a, draft):
    client = client_as(dept_admin_a)
    data = editor_post(client, draft)
    data["result_sample"] = upload("big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "10 MB" in str(response.context["editor"]["guide"].errors["result_sample"])


# --- submitting and reviewing -------------------------------------------------------------------------


def test_submitting_shows_every_quality_problem_next_to_its_field(client_as, dept_admin_a, draft):
    client = client_as(dept_admin_a)
    data = editor_post(
        client, draft, action="submit", complaint_phone="0591-87654321", onsite_visits="1", onsite_reason=""
    )
    data["materials-0-necessity"] = "conditional"
    response = client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    sections = {
        entry["field"].name: entry["problems"] for s in response.context["sections"] for entry in s["fields"]
    }
    assert sections["complaint_phone"] == ["咨询电话与监督投诉电话不能相同。"]
    assert any("到现场" in message for message in sections["onsite_visits"] + sections["onsite_reason"])
    materials = next(s for s in response.context["sections"] if s["key"] == "materials")
    assert any("情形必要" in message for message in materials["problems"])
    assert 'href="#field-complaint_phone"' in response.text
    draft.refresh_from_db()
    # The edits are saved; only the submission was refused.
    assert draft.status == VersionStatus.DRAFT and draft.complaint_phone == "0591-87654321"


def test_submit_review_publish_through_the_pages(client_as, dept_admin_a, platform_admin, draft):
    editor = client_as(dept_admin_a)
    response = editor.post(
        reverse("catalogue_staff:version_edit", args=[draft.pk]), editor_post(editor, draft, action="submit")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW and draft.submitted_by == dept_admin_a
    # In review it cannot be edited any more.
    assert editor.get(reverse("catalogue_staff:version_edit", args=[draft.pk])).status_code == 302

    reviewer = client_as(platform_admin)
    assert "食品经营许可" in reviewer.get(reverse("catalogue_staff:review_queue")).text
    page = reviewer.get(reverse("catalogue_staff:version_review", args=[draft.pk]))
    assert page.status_code == 200 and "食品经营许可" in page.text
    response = reviewer.post(
        reverse("catalogue_staff:version_review", args=[draft.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.reviewed_by == platform_admin
    assert draft.item.published_version == draft
    assert (
        platform_admin.name in editor.get(reverse("catalogue_staff:item_detail", args=[draft.item_id])).text
    )


def test_sending_back_needs_an_opinion(client_as, platform_admin, draft):
    services.item_version_submit(actor=None, version=draft)
    client = client_as(platform_admin)
    url = reverse("catalogue_staff:version_review", args=[draft.pk])
    assert client.post(url, {"decision": "reject", "opinion": " "}).status_code == 400
    assert client.post(url, {"decision": "reject", "opinion": "请补充收费依据。"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.REJECTED and draft.review_opinion == "请补充收费依据。"


def test_a_platform_admin_cannot_review_his_own_submission(client_as, platform_admin, draft):
    services.item_version_submit(actor=platform_admin, version=draft)
    response = client_as(platform_admin).post(
        reverse("catalogue_staff:version_review", args=[draft.pk]), {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "不能审核自己提交的版本" in response.text
    draft.refresh_from_db()
    assert draft.status == VersionStatus.IN_REVIEW


def test_a_new_version_needs_a_change_note_and_the_review_shows_the_differences(
    client_as, dept_admin_a, platform_admin, department_a
):
    item = published_item(department=department_a, name="食品经营许可")
    client = client_as(dept_admin_a)
    url = reverse("catalogue_staff:version_new", args=[item.pk])
    assert client.post(url, {"change_note": ""}).status_code == 400
    response = client.post(url, {"change_note": "承诺时限由5个工作日压缩为3个工作日"})
    draft = item.versions.get(number=2)
    assert response["Location"] == reverse("catalogue_staff:version_edit", args=[draft.pk])
    data = editor_post(client, draft, promised_days="3", action="submit")
    data["materials-0-DELETE"] = "on"
    assert client.post(reverse("catalogue_staff:version_edit", args=[draft.pk]), data).status_code == 302

    page = client_as(platform_admin).get(reverse("catalogue_staff:version_review", args=[draft.pk]))
    changed = [row for row in page.context["diff"] if row["changed"]]
    assert [(row["name"], row["old"], row["value"]) for row in changed] == [("promised_days", "5", "3")]
    assert {row["material"].key: row["change"] for row in page.context["material_diff"]} == {
        "application-form": "same",
        "id-card": "removed",
    }
    assert "承诺时限由5个工作日压缩为3个工作日" in page.text


def test_published_versions_are_shown_read_only(client_as, dept_admin_a, department_a):
    item = published_item(department=department_a, name="食品经营许可")
    client = client_as(dept_admin_a)
    edit = client.get(reverse("catalogue_staff:version_edit", args=[item.published_version_id]))
    assert edit["Location"] == reverse("catalogue_staff:version_detail", args=[item.published_version_id])
    page = client.get(edit["Location"])
    assert page.status_code == 200 and "食品经营许可" in page.text
    before = Material.objects.filter(version=item.published_version).count()
    client.post(reverse("catalogue_staff:version_edit", args=[item.published_version_id]), {"name": "改名"})
    item.published_version.refresh_from_db()
    assert item.published_version.name == "食品经营许可"
    assert Material.objects.filter(version=item.published_version).count() == before


def test_the_form_preview_lists_the_fields(client_as, dept_admin_a, draft):
    response = client_as(dept_admin_a).get(reverse("catalogue_staff:form_preview", args=[draft.pk]))
    assert response.status_code == 200
    assert "申请人姓名" in response.text


# --- the Django admin -----------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model",
    [
        "theme",
        "basicitem",
        "item",
        "itemversion",
        "bundle",
        "negativelistentry",
        "intermediaryservice",
        "intermediaryinstitution",
    ],
)
def test_admin_lists_and_forms_open(client_as, superuser, department_a, model):
    item = published_item(department=department_a)
    client = client_as(superuser)
    assert client.get(reverse(f"admin:catalogue_{model}_changelist")).status_code == 200
    if model == "item":
        page = client.get(reverse("admin:catalogue_item_change", args=[item.pk]))
        assert page.status_code == 200
        assert reverse("admin:catalogue_itemversion_change", args=[item.published_version_id]) in page.text
    elif model == "itemversion":
        page = client.get(reverse("admin:catalogue_itemversion_change", args=[item.published_version_id]))
        assert page.status_code == 200 and "居民身份证" in page.text
        assert 'name="name"' not in page.text  # read-only
    elif model not in {"item", "itemversion"}:
        assert client.get(reverse(f"admin:catalogue_{model}_add")).status_code == 200


def test_admin_saves_a_bundle_through_the_service(client_as, superuser, department_a):
    first, second = published_item(department=department_a), published_item(department=department_a)
    data = {
        "code": "kaiban-canyin",
        "name": "开办餐饮店",
        "audience": "company",
        "description": "营业执照、食品经营许可一次办。",
        "keywords": "开饭店",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-0-item": str(first.pk),
        "entries-0-stage": "1",
        "entries-0-order": "1",
        "entries-1-item": str(second.pk),
        "entries-1-stage": "2",
        "entries-1-order": "1",
    }
    response = client_as(superuser).post(reverse("admin:catalogue_bundle_add"), data)
    assert response.status_code == 302
    from onewindow.catalogue.models import Bundle
    from onewindow.core.models import AuditEntry

    bundle = Bundle.objects.get(code="kaiban-canyin")
    assert [(e.item_id, e.stage) for e in bundle.entries.order_by("stage")] == [(first.pk, 1), (second.pk, 2)]
    assert AuditEntry.objects.filter(action="catalogue.bundle_create").exists()


def test_admin_shows_a_bundle_refusal_on_the_page(client_as, superuser, department_a):
    only = published_item(department=department_a)
    data = {
        "code": "too-small",
        "name": "只有一项",
        "audience": "person",
        "description": "x",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "0",
        "entries-0-item": str(only.pk),
        "entries-0-stage": "1",
        "entries-0-order": "1",
    }
    client = client_as(superuser)
    response = client.post(reverse("admin:catalogue_bundle_add"), data, follow=True)
    assert "至少包含两个事项" in response.text
    from onewindow.catalogue.models import Bundle

    assert not Bundle.objects.exists()


def test_admin_saves_a_bundles_field_map_and_shows_the_merged_form(client_as, superuser, department_a):
    renamed = {
        "form_schema": {
            "type": "object",
            "properties": {"insured_name": {"type": "string", "title": "参保人"}},
        },
        "form_ui": {},
    }
    first, second = (
        published_item(department=department_a),
        published_item(department=department_a, **renamed),
    )
    data = {
        "code": "newborn",
        "name": "新生儿出生",
        "audience": "person",
        "description": "出生一件事",
        "field_map": f'{{"{second.implementation_code}": {{"insured_name": "applicant_name"}}}}',
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-0-item": str(first.pk),
        "entries-0-stage": "1",
        "entries-0-order": "1",
        "entries-1-item": str(second.pk),
        "entries-1-stage": "2",
        "entries-1-order": "1",
    }
    client = client_as(superuser)
    assert client.post(reverse("admin:catalogue_bundle_add"), data).status_code == 302
    from onewindow.catalogue.models import Bundle

    bundle = Bundle.objects.get(code="newborn")
    assert bundle.field_map == {second.implementation_code: {"insured_name": "applicant_name"}}
    page = client.get(reverse("admin:catalogue_bundle_change", args=[bundle.pk])).text
    assert "申请人姓名（applicant_name）" in page


def test_admin_refuses_a_field_map_naming_a_missing_field(client_as, superuser, department_a):
    first, second = published_item(department=department_a), published_item(department=department_a)
    data = {
        "code": "bad-map",
        "name": "坏的对照",
        "audience": "person",
        "description": "x",
        "field_map": f'{{"{second.implementation_code}": {{"nothing_here": "x"}}}}',
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-0-item": str(first.pk),
        "entries-0-stage": "1",
        "entries-0-order": "1",
        "entries-1-item": str(second.pk),
        "entries-1-stage": "2",
        "entries-1-order": "1",
    }
    response = client_as(superuser).post(reverse("admin:catalogue_bundle_add"), data, follow=True)
    assert "nothing_here" in response.text
    from onewindow.catalogue.models import Bundle

    assert not Bundle.objects.exists()
