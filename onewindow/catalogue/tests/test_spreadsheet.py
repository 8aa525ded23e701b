"""Spreadsheet exchange: the .xlsx round trip loses nothing, bad rows are reported with sheet, row and column
and nothing is written, and the staff page runs the import in the background with a progress bar."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.catalogue.exchange.columns import ITEM_SHEET, MATERIAL_SHEET
from onewindow.catalogue.exchange.spreadsheet import (
    catalogue_import,
    catalogue_workbook,
    export_versions,
)
from onewindow.catalogue.models import (
    BasicItem,
    Bundle,
    ImportJob,
    ImportJobStatus,
    Item,
    ItemVersion,
    Material,
    VersionStatus,
)
from onewindow.catalogue.tests.test_cpsv import realistic_catalogue
from onewindow.core.errors import DomainError
from onewindow.organisations.models import Department, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def sheets(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        name: [["" if v is None else v for v in row] for row in workbook[name].iter_rows(values_only=True)]
        for name in workbook.sheetnames
    }


def edited(content: bytes, changes: dict[tuple[str, int, str], Any]) -> io.BytesIO:
    """The workbook with cells changed: ``{(sheet, row, header): value}``."""
    workbook = load_workbook(io.BytesIO(content))
    for (sheet, row, header), value in changes.items():
        headers = [cell.value for cell in workbook[sheet][1]]
        workbook[sheet].cell(row=row, column=headers.index(header) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def export_all(latest: bool = False) -> bytes:
    return catalogue_workbook(export_versions(latest=latest))


def empty_the_catalogue() -> None:
    """Remove every item, version, material and bundle; departments, regions and themes stay."""
    Bundle.objects.all().delete()
    Item.objects.update(published_version=None)
    Item.objects.all().delete()
    BasicItem.objects.all().delete()


@pytest.fixture
def dept_admin_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="deptadmin_a", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user


# --- the round trip --------------------------------------------------------------------------------------


def test_export_import_into_an_empty_catalogue_export_again_is_identical(platform_admin):
    realistic_catalogue()
    first = export_all()
    rows = sheets(first)
    assert len(rows[ITEM_SHEET]) == 4 and len(rows[MATERIAL_SHEET]) == 8
    empty_the_catalogue()

    result = catalogue_import(actor=platform_admin, file=io.BytesIO(first), publish=True)

    assert (result.created, result.published) == (3, 3)
    second = export_all()
    assert sheets(second)[ITEM_SHEET] == rows[ITEM_SHEET]
    assert sheets(second)[MATERIAL_SHEET] == rows[MATERIAL_SHEET]


def test_the_round_trip_keeps_fees_faq_form_schema_themes_joint_bodies_and_material_details(platform_admin):
    food, id_card, _ = realistic_catalogue()
    names = (
        "fee_items",
        "fee_basis",
        "faq",
        "form_schema",
        "form_ui",
        "keywords",
        "charges_fee",
        "statutory_note",
        "promised_note",
        "min_assurance_level",
        "cross_region_scope",
        "online_depth",
    )

    def snapshot(code: str) -> dict[str, Any]:
        version = Item.objects.get(implementation_code=code).published_version
        return {name: getattr(version, name) for name in names} | {
            "themes": set(version.themes.values_list("code", flat=True)),
            "joint": set(version.joint_departments.values_list("credit_code", flat=True)),
            "materials": list(
                version.materials.values_list(
                    "key",
                    "name",
                    "necessity",
                    "condition",
                    "source",
                    "licence_type_code",
                    "pledge_allowed",
                    "pledge_text",
                    "originals",
                    "copies",
                )
            ),
        }

    before = {code: snapshot(code) for code in (food.implementation_code, id_card.implementation_code)}
    content = export_all()
    empty_the_catalogue()

    catalogue_import(actor=platform_admin, file=io.BytesIO(content), publish=True)

    for code, old in before.items():
        assert snapshot(code) == old
    assert before[food.implementation_code]["joint"] and before[food.implementation_code]["themes"]
    lease = Material.objects.get(key="lease", version__status=VersionStatus.PUBLISHED)
    assert (lease.necessity, lease.condition, lease.filling_notes) == (
        "conditional",
        "场所为租赁的",
        "提供租赁合同复印件",
    )


def test_importing_the_unchanged_export_again_makes_no_new_versions(platform_admin):
    realistic_catalogue()

    result = catalogue_import(actor=platform_admin, file=io.BytesIO(export_all()))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert ItemVersion.objects.count() == 3


def test_a_changed_row_gives_the_item_a_new_draft_version(dept_admin_a, department_a):
    food, *_ = realistic_catalogue(department=department_a)
    mine = Department.objects.filter(pk=department_a.pk)
    content = catalogue_workbook(export_versions(departments=mine))

    result = catalogue_import(
        actor=dept_admin_a, file=edited(content, {(ITEM_SHEET, 2, "承诺办结时限"): 8}), departments=mine
    )

    assert (result.updated, result.unchanged) == (1, 0)
    draft = food.versions.get(number=2)
    assert (draft.status, draft.promised_days, draft.change_note) == (
        VersionStatus.DRAFT,
        8,
        "通过电子表格导入调整",
    )
    assert draft.materials.count() == 3
    food.refresh_from_db()
    assert food.published_version.promised_days == 10


def test_new_items_from_a_department_administrator_stay_drafts(dept_admin_a, department_a):
    realistic_catalogue(department=department_a)
    content = export_all()
    empty_the_catalogue()

    catalogue_import(
        actor=dept_admin_a,
        file=edited(content, {}),
        departments=Department.objects.all(),
        publish=False,
    )

    assert set(ItemVersion.objects.values_list("status", flat=True)) == {VersionStatus.DRAFT}
    assert not Item.objects.filter(published_version__isnull=False).exists()


def test_chinese_labels_letter_codes_and_one_zero_booleans_are_accepted(platform_admin):
    food, *_ = realistic_catalogue()
    content = export_all()
    row = [r[2] for r in sheets(content)[ITEM_SHEET]].index(food.implementation_code) + 1
    empty_the_catalogue()

    catalogue_import(
        actor=platform_admin,
        file=edited(
            content,
            {
                (ITEM_SHEET, row, "事项类型"): "XK",
                (ITEM_SHEET, row, "行使层级"): "市级",
                (ITEM_SHEET, row, "办件类型"): "承诺件",
                (ITEM_SHEET, row, "服务对象"): "企业法人，其他组织",
                (ITEM_SHEET, row, "是否支持预约"): 1,
                (ITEM_SHEET, row, "法定办结时限"): "20个工作日",
                (ITEM_SHEET, row, "收费项目"): json.dumps(
                    [{"name": "工本费", "standard": "10元", "basis": "", "waivable": False}]
                ),
                (ITEM_SHEET, row, "是否收费"): "是",
                (ITEM_SHEET, row, "收费依据"): "物价文件",
                (ITEM_SHEET, row, "是否支持网上支付"): "是",
            },
        ),
    )

    version = Item.objects.get(implementation_code=food.implementation_code).versions.get()
    assert (version.item_type, version.level, version.case_type) == ("01", 3, 2)
    assert version.service_objects == ["2", "6"]
    assert version.supports_booking is True
    assert version.statutory_days == 20
    assert version.fee_items == [{"name": "工本费", "standard": "10元", "basis": "", "waivable": False}]


# --- bad rows --------------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_sheet_row_and_column_and_nothing_is_written(platform_admin):
    realistic_catalogue()
    content = export_all()
    empty_the_catalogue()
    audit_before = ItemVersion.objects.count()

    with pytest.raises(DomainError) as refused:
        catalogue_import(
            actor=platform_admin,
            file=edited(
                content,
                {
                    (ITEM_SHEET, 2, "事项类型"): "99",
                    (ITEM_SHEET, 3, "是否收费"): "也许",
                    (ITEM_SHEET, 3, "常见问题"): "[{",
                    (ITEM_SHEET, 4, "实施主体编码"): "91350100M000100Y43",
                    (MATERIAL_SHEET, 3, "材料名称"): "",
                    (MATERIAL_SHEET, 5, "必要性"): "看情况",
                },
            ),
            publish=True,
        )

    found = {(p.field, p.row) for p in refused.value.problems}
    assert {
        ("事项.事项类型", 2),
        ("事项.是否收费", 3),
        ("事项.常见问题", 3),
        ("事项.实施主体编码", 4),
        ("材料.材料名称", 3),
        ("材料.必要性", 5),
    } <= found
    assert refused.value.code == "import.rows_invalid"
    assert ItemVersion.objects.count() == audit_before == 0
    assert not BasicItem.objects.exists()


def test_promised_over_statutory_and_quality_rules_are_row_problems(platform_admin):
    realistic_catalogue()
    content = export_all()
    empty_the_catalogue()

    with pytest.raises(DomainError) as refused:
        catalogue_import(
            actor=platform_admin,
            file=edited(content, {(ITEM_SHEET, 2, "承诺办结时限"): 99, (ITEM_SHEET, 3, "监督投诉电话"): ""}),
            publish=True,
        )

    found = {(p.field, p.row) for p in refused.value.problems}
    assert ("事项.承诺办结时限", 2) in found
    assert ("事项.监督投诉电话", 3) in found
    assert not Item.objects.exists()


def test_a_department_administrator_cannot_import_another_departments_items(dept_admin_a, department_a):
    realistic_catalogue(department=department_a)
    content = export_all()
    empty_the_catalogue()

    with pytest.raises(DomainError) as refused:
        catalogue_import(
            actor=dept_admin_a,
            file=io.BytesIO(content),
            departments=Department.objects.filter(pk=department_a.pk),
        )

    assert {p.code for p in refused.value.problems} == {"forbidden"}
    assert {p.row for p in refused.value.problems} == {3, 4}
    assert not Item.objects.exists()


def test_a_material_of_an_item_not_in_the_workbook_is_a_problem(platform_admin):
    realistic_catalogue()
    content = export_all()

    with pytest.raises(DomainError) as refused:
        catalogue_import(
            actor=platform_admin, file=edited(content, {(MATERIAL_SHEET, 2, "实施编码"): "X" * 31})
        )

    assert [(p.field, p.row, p.code) for p in refused.value.problems] == [
        ("材料.实施编码", 2, "material.item_unknown")
    ]


def test_a_workbook_without_the_item_sheet_or_its_columns_is_refused(platform_admin):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = ITEM_SHEET
    workbook.active.append(["事项名称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with pytest.raises(DomainError) as refused:
        catalogue_import(actor=platform_admin, file=buffer)

    assert refused.value.code == "import.columns"
    with pytest.raises(DomainError) as refused:
        catalogue_import(actor=platform_admin, file=io.BytesIO(b"not a workbook"))
    assert refused.value.code == "import.not_xlsx"


def test_text_starting_with_an_equals_sign_is_exported_as_text_not_a_formula():
    food, *_ = realistic_catalogue()
    ItemVersion.objects.filter(pk=food.published_version_id).update(process_description='=HYPERLINK("x")')

    workbook = load_workbook(io.BytesIO(export_all()))

    headers = [cell.value for cell in workbook[ITEM_SHEET][1]]
    cells = [row[headers.index("办理流程")] for row in workbook[ITEM_SHEET].iter_rows(min_row=2)]
    assert {cell.data_type for cell in cells if str(cell.value).startswith("=")} == {"s"}


# --- the staff page ---------------------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "catalogue.xlsx", **data: Any):
    return client.post(
        reverse("catalogue_exchange:import"),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream"), **data},
    )


def test_clerks_may_not_use_the_exchange_page(client_as, clerk_a):
    client = client_as(clerk_a)

    assert client.get(reverse("catalogue_exchange:home")).status_code == 403
    assert client.get(reverse("catalogue_exchange:export")).status_code == 403
    assert upload(client, b"PK").status_code == 403


def test_a_department_administrator_downloads_only_their_departments_items(
    client_as, dept_admin_a, department_a
):
    food, *_ = realistic_catalogue(department=department_a)

    response = client_as(dept_admin_a).get(reverse("catalogue_exchange:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    codes = [row[2] for row in sheets(response.content)[ITEM_SHEET][1:]]
    assert codes == [food.implementation_code]


def test_the_page_shows_the_forms(client_as, platform_admin):
    response = client_as(platform_admin).get(reverse("catalogue_exchange:home"))

    assert response.status_code == 200
    assert b'name="publish"' in response.content
    assert b'type="file"' in response.content


def test_an_upload_that_is_not_a_workbook_is_refused_by_its_content(client_as, platform_admin):
    client = client_as(platform_admin)

    response = upload(client, b"name,code\n1,2\n", name="renamed.xlsx")

    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_an_upload_over_ten_megabytes_is_refused(client_as, platform_admin):
    response = upload(client_as(platform_admin), b"PK" + b"\0" * (10 * 1024 * 1024))

    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_an_upload_runs_in_the_background_and_its_page_shows_the_outcome(
    client_as, platform_admin, django_capture_on_commit_callbacks
):
    realistic_catalogue()
    content = export_all()
    empty_the_catalogue()
    client = client_as(platform_admin)

    with django_capture_on_commit_callbacks(execute=True):  # the job runs once its row is committed
        response = upload(client, content, publish="on")

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalogue_exchange:job", args=[job.pk]
    )
    assert (job.status, job.done, job.total, job.created_items) == (ImportJobStatus.DONE, 10, 10, 3)
    assert Item.objects.filter(published_version__isnull=False).count() == 3
    page = client.get(response["Location"])
    assert "新增 3 个事项" in page.content.decode()
    assert b"hx-trigger" not in page.content


def test_a_bad_upload_shows_its_row_level_problems_at_the_end(
    client_as, dept_admin_a, department_a, django_capture_on_commit_callbacks
):
    realistic_catalogue(department=department_a)
    content = export_all()
    client = client_as(dept_admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, edited(content, {(ITEM_SHEET, 2, "办件类型"): "急件"}).getvalue())

    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED and job.publish is False
    assert {"sheet": "事项", "row": 2, "column": "办件类型"}.items() <= job.problems[0].items()
    page = client.get(reverse("catalogue_exchange:job", args=[job.pk])).content.decode()
    assert "办件类型" in page and "急件" in page


def test_the_progress_fragment_polls_while_the_import_runs(client_as, platform_admin):
    job = ImportJob.objects.create(
        created_by=platform_admin, file_name="big.xlsx", status=ImportJobStatus.CHECKING, total=200, done=50
    )
    client = client_as(platform_admin)

    fragment = client.get(reverse("catalogue_exchange:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    page = client.get(reverse("catalogue_exchange:job", args=[job.pk]))

    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert '<progress id="import-progress-bar" max="200" value="50">' in body
    assert 'hx-trigger="every 1s"' in body
    assert '<noscript><meta http-equiv="refresh"' in page.content.decode()


def test_someone_elses_import_is_not_found(client_as, dept_admin_a, platform_admin):
    job = ImportJob.objects.create(created_by=platform_admin, file_name="x.xlsx")

    response = client_as(dept_admin_a).get(reverse("catalogue_exchange:job_progress", args=[job.pk]))

    assert response.status_code == 404
