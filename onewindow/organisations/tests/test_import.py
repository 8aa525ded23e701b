"""The spreadsheet import: regions, departments and staff from one .xlsx, all rows or none."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Department, Membership, Region, Role
from onewindow.organisations.services import SHEETS, organisations_import
from tests.factories import valid_credit_code

pytestmark = pytest.mark.django_db

CODE_1, CODE_2 = valid_credit_code(9001, "360100"), valid_credit_code(9002, "360100")
MISMATCHED = CODE_1[:17] + ("0" if CODE_1[17] != "0" else "1")  # fails only the GB 32100 check digit
REGIONS = [
    {"行政区划代码": "360000", "名称": "江西省"},
    {"行政区划代码": "360100", "名称": "南昌市", "上级代码": "360000"},
]
DEPARTMENTS = [
    {
        "名称": "南昌市行政审批局",
        "简称": "市审批局",
        "统一社会信用代码": CODE_1,
        "行政区划代码": "360100",
        "行使层级": 3,
    },
    {
        "名称": "南昌市审批局窗口科",
        "统一社会信用代码": CODE_2,
        "行政区划代码": "360100",
        "行使层级": "3",
        "上级部门信用代码": CODE_1,
    },
]
STAFF = [
    {
        "用户名": "nc_clerk",
        "姓名": "张敏",
        "部门信用代码": CODE_1,
        "角色": "窗口受理",
        "初始密码": "Window-Clerk-2026",
    },
    {"用户名": "nc_clerk", "姓名": "张敏", "部门信用代码": CODE_2, "角色": "审核"},
]


def workbook(rows: dict[str, list[dict[str, object]]]) -> io.BytesIO:
    """An .xlsx with the template's header on each named sheet and the given rows under it."""
    book = Workbook()
    book.remove(book.active)
    for sheet_name, sheet_rows in rows.items():
        sheet = book.create_sheet(sheet_name)
        header = [*SHEETS[sheet_name][0], *SHEETS[sheet_name][1]]
        sheet.append(header)
        for row in sheet_rows:
            sheet.append([row.get(column) for column in header])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        Department.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(rows: dict[str, list[dict[str, object]]]) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as caught:
        organisations_import(actor=None, file=workbook(rows))
    assert counts() == before, "a refused import must write nothing"
    return caught.value


def test_a_good_workbook_is_imported_whole(platform_admin):
    report = organisations_import(
        actor=platform_admin, file=workbook({"区划": REGIONS, "部门": DEPARTMENTS, "人员": STAFF})
    )
    assert (report.regions, report.departments, report.staff, report.memberships) == (2, 2, 1, 2)
    assert Region.objects.get(code="360100").parent.code == "360000"
    assert Department.objects.get(credit_code=CODE_2).parent.credit_code == CODE_1
    clerk = get_user_model().objects.get(username="nc_clerk")
    assert (clerk.name, clerk.is_staff) == ("张敏", True)
    assert clerk.check_password("Window-Clerk-2026")
    assert set(clerk.memberships.values_list("role", flat=True)) == {Role.WINDOW_CLERK, Role.REVIEWER}


def test_every_imported_record_is_audited(platform_admin):
    before = AuditEntry.objects.count()
    organisations_import(
        actor=platform_admin, file=workbook({"区划": REGIONS, "部门": DEPARTMENTS, "人员": STAFF})
    )
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions == [
        "region.create",
        "region.create",
        "department.create",
        "department.create",
        "staff.create",
        "membership.grant",
        "membership.grant",
    ]


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing():
    before = counts()
    report = organisations_import(
        actor=None, file=workbook({"区划": REGIONS, "部门": DEPARTMENTS}), dry_run=True
    )
    assert (report.regions, report.departments) == (2, 2)
    assert counts() == before


def test_a_workbook_may_hold_only_some_sheets(department_a):
    report = organisations_import(
        actor=None,
        file=workbook(
            {
                "人员": [
                    {
                        "用户名": "reviewer_a",
                        "姓名": "李审",
                        "部门信用代码": department_a.credit_code,
                        "角色": "reviewer",
                        "初始密码": "Reviewer-Pass-2026",
                    }
                ]
            }
        ),
    )
    assert (report.regions, report.departments, report.staff) == (0, 0, 1)


def test_a_workbook_with_bad_rows_is_refused_with_each_problem_and_writes_nothing():
    # Good rows among the bad ones are rolled back too.
    error = refused(
        {
            "区划": [
                *REGIONS,
                {"行政区划代码": "350100", "名称": "福州市", "上级代码": "360000"},
                {"行政区划代码": "3601", "名称": "坏代码", "上级代码": "360000"},
            ],
            "部门": [
                DEPARTMENTS[0],
                {**DEPARTMENTS[0], "统一社会信用代码": "91360100M000100Y4I"},
                {**DEPARTMENTS[1], "上级部门信用代码": "", "行政区划代码": "369900"},
            ],
            "人员": [{**STAFF[0], "角色": "保安"}],
        }
    )
    assert error.code == "import.rows_invalid"
    assert "5" in error.message
    assert [(p.field, p.row, p.code) for p in error.problems] == [
        ("区划.行政区划代码", 4, "region.parent_mismatch"),
        ("区划.行政区划代码", 5, "division_code.format"),
        ("部门.统一社会信用代码", 3, "credit_code.charset"),
        ("部门.行政区划代码", 4, "department.region_unknown"),
        ("人员.角色", 2, "membership.role"),
    ]


def test_a_checksum_mismatch_needs_the_override_column():
    error = refused({"区划": REGIONS, "部门": [{**DEPARTMENTS[0], "统一社会信用代码": MISMATCHED}]})
    assert [(p.row, p.code) for p in error.problems] == [(2, "credit_code.checksum")]


def test_a_checksum_mismatch_with_the_override_column_is_imported(platform_admin):
    organisations_import(
        actor=platform_admin,
        file=workbook(
            {
                "区划": REGIONS,
                "部门": [{**DEPARTMENTS[0], "统一社会信用代码": MISMATCHED, "校验不符确认理由": "执照核对"}],
            }
        ),
    )
    department = Department.objects.get(credit_code=MISMATCHED)
    assert (department.credit_code_override_reason, department.credit_code_override_by) == (
        "执照核对",
        platform_admin,
    )


def test_a_region_whose_parent_is_unknown_is_reported():
    error = refused({"区划": [{"行政区划代码": "360100", "名称": "南昌市", "上级代码": "360000"}]})
    assert [(p.field, p.row, p.code) for p in error.problems] == [
        ("区划.上级代码", 2, "region.parent_unknown")
    ]


def test_a_department_whose_parent_is_unknown_is_reported():
    error = refused({"区划": REGIONS, "部门": [DEPARTMENTS[1]]})
    assert [(p.field, p.row) for p in error.problems] == [("部门.上级部门信用代码", 2)]


def test_a_duplicate_credit_code_within_the_workbook_is_reported_on_the_second_row():
    error = refused({"区划": REGIONS, "部门": [DEPARTMENTS[0], {**DEPARTMENTS[0], "名称": "重复"}]})
    assert [(p.row, p.code) for p in error.problems] == [(3, "department.duplicate_credit_code")]


def test_a_new_staff_member_with_a_weak_password_is_reported():
    error = refused({"区划": REGIONS, "部门": [DEPARTMENTS[0]], "人员": [{**STAFF[0], "初始密码": "123"}]})
    assert [(p.field, p.row, p.code) for p in error.problems] == [("人员.初始密码", 2, "staff.password")]


def test_a_staff_row_for_an_unknown_department_is_reported():
    error = refused({"人员": [STAFF[0]]})
    assert [(p.field, p.code) for p in error.problems] == [("人员.部门信用代码", "staff.department_unknown")]


def test_a_staff_row_without_a_user_name_is_reported(department_a):
    error = refused({"人员": [{**STAFF[0], "用户名": "", "部门信用代码": department_a.credit_code}]})
    assert [(p.field, p.code) for p in error.problems] == [("人员.用户名", "staff.username_required")]


def test_blank_rows_are_skipped():
    report = organisations_import(actor=None, file=workbook({"区划": [REGIONS[0], {}, REGIONS[1]]}))
    assert report.regions == 2


def test_a_sheet_missing_a_required_column_is_refused():
    book = Workbook()
    book.active.title = "区划"
    book.active.append(["行政区划代码"])
    book.active.append(["360000"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(DomainError) as caught:
        organisations_import(actor=None, file=buffer)
    assert caught.value.code == "import.columns"
    assert "名称" in caught.value.message


def test_a_workbook_without_any_known_sheet_is_refused():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    buffer.seek(0)
    with pytest.raises(DomainError) as caught:
        organisations_import(actor=None, file=buffer)
    assert caught.value.code == "import.no_sheets"


@pytest.mark.parametrize("content", [b"name,code\n", b"", b"PK\x03\x04 broken zip"])
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(content):
    with pytest.raises(DomainError) as caught:
        organisations_import(actor=None, file=io.BytesIO(content))
    assert caught.value.code == "import.not_xlsx"
