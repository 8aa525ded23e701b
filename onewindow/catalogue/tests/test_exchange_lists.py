"""The rest of a catalogue in the exchange (主题, 一件事, 一件事事项, 负面清单, 中介服务, 中介机构) and its text
variant (one CSV per sheet): the round trip loses nothing, bad rows are refused with their sheet, row and
column and nothing is written, and only platform administrators import these sheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.catalogue.exchange.columns import (
    BUNDLE_ITEM_SHEET,
    BUNDLE_SHEET,
    INSTITUTION_SHEET,
    NEGATIVE_LIST_SHEET,
    SERVICE_SHEET,
    THEME_SHEET,
)
from onewindow.catalogue.exchange.spreadsheet import (
    catalogue_import,
    catalogue_sheets,
    catalogue_workbook,
    export_versions,
)
from onewindow.catalogue.exchange.textfiles import text_workbook_read, text_workbook_write
from onewindow.catalogue.models import (
    Audience,
    BasicItem,
    Bundle,
    ImportJob,
    ImportJobStatus,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    NegativeListEntry,
    Theme,
)
from onewindow.catalogue.tests.test_cpsv import realistic_catalogue
from onewindow.catalogue.tests.test_spreadsheet import upload
from onewindow.core.errors import DomainError
from onewindow.core.identifiers import credit_code_check_digit, organisation_code_check_digit
from onewindow.organisations.models import Department, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept_admin_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="deptadmin_a", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user


def institution_credit_code(org8: str = "MA2YQ3K1") -> str:
    body = f"91350100{org8}{organisation_code_check_digit(org8)}"
    return body + credit_code_check_digit(body)


def full_catalogue() -> list[Item]:
    """The realistic items plus a theme with no item, a bundle, a negative-list entry and intermediaries."""
    items = realistic_catalogue()
    food, id_card = items[0], items[1]
    Item.objects.filter(pk=food.pk).update(popularity=870)
    Theme.objects.create(code="housing", name="住房保障", audience=Audience.PERSON, order=3)
    bundle = Bundle.objects.create(
        code="open-shop", name="开办小店", audience=Audience.COMPANY, description="一次申请。", popularity=40
    )
    bundle.entries.create(item=food, order=1, stage=1)
    bundle.entries.create(item=id_card, order=2, stage=2, optional=True)
    entry = NegativeListEntry.objects.create(
        code="203",
        category=NegativeListEntry.Category.LICENSED,
        title="未获得许可，不得从事食品生产经营",
        measures="食品经营许可。",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
    )
    entry.items.set([food])
    service = IntermediaryService.objects.create(
        code="ZJFW-001", name="检测报告", legal_basis="《检测办法》", department=food.department
    )
    service.items.set([food])
    institution = IntermediaryInstitution.objects.create(
        name="福州检测有限公司",
        credit_code=institution_credit_code(),
        qualification="检验检测机构资质认定",
        region=food.region,
        phone="0591-88888888",
        address="福州市鼓楼区",
    )
    institution.services.set([service])
    return items


def empty_everything() -> None:
    IntermediaryInstitution.objects.all().delete()
    IntermediaryService.objects.all().delete()
    NegativeListEntry.objects.all().delete()
    Bundle.objects.all().delete()
    Item.objects.update(published_version=None)
    Item.objects.all().delete()
    BasicItem.objects.all().delete()
    Theme.objects.all().delete()


def sheets(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        name: [["" if v is None else v for v in row] for row in workbook[name].iter_rows(values_only=True)]
        for name in workbook.sheetnames
    }


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# --- the round trip --------------------------------------------------------------------------------------


def test_xlsx_with_every_sheet_round_trips_into_an_empty_catalogue(platform_admin):
    full_catalogue()
    first = catalogue_workbook(export_versions(), lists=True)
    bundles = Bundle.objects.count()
    empty_everything()

    result = catalogue_import(actor=platform_admin, file=io.BytesIO(first), publish=True)

    assert result.created == 3 and result.themes == 3
    assert result.lists == {
        BUNDLE_SHEET: bundles,
        NEGATIVE_LIST_SHEET: 1,
        SERVICE_SHEET: 1,
        INSTITUTION_SHEET: 1,
    }
    assert sheets(catalogue_workbook(export_versions(), lists=True)) == sheets(first)


def test_text_files_round_trip_byte_for_byte(platform_admin, tmp_path):
    full_catalogue()
    text_workbook_write(tmp_path / "first", catalogue_sheets(export_versions(), lists=True))
    empty_everything()

    catalogue_import(actor=platform_admin, file=text_workbook_read(tmp_path / "first"), publish=True)

    text_workbook_write(tmp_path / "second", catalogue_sheets(export_versions(), lists=True))
    assert folder_bytes(tmp_path / "second") == folder_bytes(tmp_path / "first")
    assert "一件事.csv" in folder_bytes(tmp_path / "first")


def test_the_lists_come_back_with_their_details(platform_admin, tmp_path):
    food, id_card, _ = full_catalogue()
    text_workbook_write(tmp_path, catalogue_sheets(export_versions(), lists=True))
    empty_everything()

    catalogue_import(actor=platform_admin, file=text_workbook_read(tmp_path), publish=True)

    bundle = Bundle.objects.get(code="open-shop")
    entries = [(e.item.implementation_code, e.stage, e.optional) for e in bundle.entries.order_by("order")]
    assert entries == [(food.implementation_code, 1, False), (id_card.implementation_code, 2, True)]
    assert (bundle.popularity, bundle.audience) == (40, Audience.COMPANY)
    assert Item.objects.get(implementation_code=food.implementation_code).popularity == 870
    assert Theme.objects.get(code="housing").name == "住房保障"
    entry = NegativeListEntry.objects.get(code="203")
    assert entry.category == NegativeListEntry.Category.LICENSED
    assert list(entry.items.values_list("implementation_code", flat=True)) == [food.implementation_code]
    service = IntermediaryService.objects.get(code="ZJFW-001")
    assert service.time_limit_days is None and service.department.credit_code == food.department.credit_code
    institution = IntermediaryInstitution.objects.get(credit_code=institution_credit_code())
    assert list(institution.services.values_list("code", flat=True)) == ["ZJFW-001"]


def test_only_missing_leaves_existing_rows_alone(platform_admin, tmp_path):
    full_catalogue()
    text_workbook_write(tmp_path, catalogue_sheets(export_versions(), lists=True))
    Bundle.objects.filter(code="open-shop").update(name="改过的名称")
    NegativeListEntry.objects.filter(code="203").update(title="改过的标题")

    result = catalogue_import(
        actor=platform_admin, file=text_workbook_read(tmp_path), publish=True, only_missing=True
    )

    assert (result.created, result.themes, result.lists) == (0, 0, {})
    assert Bundle.objects.get(code="open-shop").name == "改过的名称"
    assert NegativeListEntry.objects.get(code="203").title == "改过的标题"


# --- bad rows --------------------------------------------------------------------------------------------


def rewrite(folder: Path, sheet: str, row: int, header: str, value: str) -> None:
    path = folder / f"{sheet}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[row - 1][rows[0].index(header)] = value
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


def test_bad_list_rows_are_refused_with_sheet_row_and_column_and_nothing_is_written(platform_admin, tmp_path):
    full_catalogue()
    text_workbook_write(tmp_path, catalogue_sheets(export_versions(), lists=True))
    empty_everything()
    rewrite(tmp_path, THEME_SHEET, 2, "服务对象", "外国人")
    rewrite(tmp_path, BUNDLE_ITEM_SHEET, 3, "实施编码", "11350100MA0000000X1000000000000")
    rewrite(tmp_path, NEGATIVE_LIST_SHEET, 2, "类别", "随便")
    rewrite(tmp_path, SERVICE_SHEET, 2, "主管部门编码", "11350100M99999999X")
    rewrite(tmp_path, INSTITUTION_SHEET, 2, "统一社会信用代码", "91350100MA2YQ3K1X0")
    rewrite(tmp_path, INSTITUTION_SHEET, 2, "中介服务", "ZJFW-404")

    with pytest.raises(DomainError) as refused:
        catalogue_import(actor=platform_admin, file=text_workbook_read(tmp_path), publish=True)

    problems = {(p.field, p.row): p.message for p in refused.value.problems}
    assert {
        ("主题.服务对象", 2),
        ("一件事事项.实施编码", 3),
        ("负面清单.类别", 2),
        ("中介服务.主管部门编码", 2),
        ("中介机构.统一社会信用代码", 2),
        ("中介机构.中介服务", 2),
    } <= set(problems)
    assert "不是有效的服务对象" in problems[("主题.服务对象", 2)]
    assert "校验位" in problems[("中介机构.统一社会信用代码", 2)]
    assert "ZJFW-404" in problems[("中介机构.中介服务", 2)]
    assert not Item.objects.exists() and not Theme.objects.exists() and not Bundle.objects.exists()


def test_a_department_administrator_cannot_import_the_list_sheets(platform_admin, department_a):
    items = full_catalogue()
    content = catalogue_workbook(export_versions(), lists=True)

    with pytest.raises(DomainError) as refused:
        catalogue_import(
            actor=platform_admin,
            file=io.BytesIO(content),
            departments=Department.objects.filter(pk=items[0].department_id),
        )

    assert any(p.code == "forbidden" and p.field.startswith("一件事") for p in refused.value.problems)


# --- the exchange page ------------------------------------------------------------------------------------


def test_a_platform_administrators_download_carries_the_lists_and_uploads_back(
    client_as, platform_admin, django_capture_on_commit_callbacks
):
    full_catalogue()
    client = client_as(platform_admin)
    content = client.get(reverse("catalogue_exchange:export")).content
    assert {THEME_SHEET, BUNDLE_SHEET, INSTITUTION_SHEET} <= set(sheets(content))
    empty_everything()

    with django_capture_on_commit_callbacks(execute=True):  # the job runs once its row is committed
        upload(client, content, publish="on")

    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.DONE, job.problems
    assert "“一件事”写入" in job.message
    assert Bundle.objects.filter(code="open-shop").exists()
    assert IntermediaryInstitution.objects.count() == 1


def test_a_department_administrators_download_has_no_list_sheets(client_as, dept_admin_a, department_a):
    realistic_catalogue(department=department_a)

    content = client_as(dept_admin_a).get(reverse("catalogue_exchange:export")).content

    assert not {THEME_SHEET, BUNDLE_SHEET, NEGATIVE_LIST_SHEET} & set(sheets(content))
