"""The platform administrators' import pages: who may use them, what a bad file shows, what a good one does."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Department, Region
from onewindow.organisations.services import SHEETS
from onewindow.workbench.tests.workbooks import bad_workbook, good_workbook
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.services import YearImported

pytestmark = pytest.mark.django_db

ORG_URL = reverse("workbench:organisations_import")
TEMPLATE_URL = reverse("workbench:organisations_import_template")
CALENDAR_URL = reverse("workbench:calendar_import")


def upload(content: bytes, name: str = "organisations.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("url", [ORG_URL, TEMPLATE_URL, CALENDAR_URL])
def test_a_clerk_is_refused(client_as, clerk_a, url):
    assert client_as(clerk_a).get(url).status_code == 403


@pytest.mark.parametrize("url", [ORG_URL, TEMPLATE_URL, CALENDAR_URL])
def test_an_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_a_clerk_cannot_post_a_workbook(client_as, clerk_a):
    response = client_as(clerk_a).post(ORG_URL, {"file": upload(good_workbook())})
    assert response.status_code == 403
    assert not Region.objects.filter(code="360000").exists()


def test_the_page_shows_the_form_and_the_sheets(client_as, platform_admin):
    response = client_as(platform_admin).get(ORG_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入组织机构" in page
    assert "校验不符确认理由" in page
    assert 'enctype="multipart/form-data"' in page


def test_the_template_has_every_sheet_and_column(client_as, platform_admin):
    response = client_as(platform_admin).get(TEMPLATE_URL)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == list(SHEETS)
    for name, (required, optional) in SHEETS.items():
        assert [cell.value for cell in workbook[name][1]] == [*required, *optional]


def test_a_workbook_with_one_bad_row_writes_nothing_and_names_the_row(client_as, platform_admin):
    client = client_as(platform_admin)
    audit_before = AuditEntry.objects.count()
    response = client.post(ORG_URL, {"file": upload(bad_workbook())})
    assert response.status_code == 400
    page = response.content.decode()
    assert "导入未执行" in page
    assert "369900" in page and '<td data-label="行">3</td>' in page
    assert not Region.objects.filter(code="360000").exists()
    assert not Department.objects.filter(name="南昌市行政审批局").exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_good_workbook_is_imported_and_counted(client_as, platform_admin):
    response = client_as(platform_admin).post(ORG_URL, {"file": upload(good_workbook())})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.regions, report.departments, report.staff, report.memberships) == (2, 2, 1, 1)
    assert "导入完成" in response.content.decode()
    assert Department.objects.filter(region__code="360100").count() == 2


@pytest.mark.parametrize("content", [b"name,code\n", b"%PDF-1.7 not a workbook", b""])
def test_a_file_that_is_not_a_workbook_is_refused_whatever_its_name(client_as, platform_admin, content):
    response = client_as(platform_admin).post(ORG_URL, {"file": upload(content, "looks-right.xlsx")})
    assert response.status_code == 400
    assert "Excel" in response.content.decode() or "文件为空" in response.content.decode()
    assert not Region.objects.filter(code="360000").exists()


def test_a_zip_that_is_not_a_workbook_is_refused(client_as, platform_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = client_as(platform_admin).post(ORG_URL, {"file": upload(buffer.getvalue())})
    assert response.status_code == 400
    assert "不是有效的 Excel 工作簿" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client_as, platform_admin, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    response = client_as(platform_admin).post(ORG_URL, {"file": upload(b"PK" + b"0" * (5 * 1024 * 1024 + 1))})
    assert response.status_code == 400
    assert "5 MB" in response.content.decode()


def test_the_upload_needs_a_csrf_token(platform_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(platform_admin)
    assert client.post(ORG_URL, {"file": upload(good_workbook())}).status_code == 403
    assert not Region.objects.filter(code="360000").exists()


CALENDAR_CSV = (
    "date,kind,name,source\n"
    "2031-01-01,holiday,元旦,国办发明电〔2030〕9号\n"
    "2031-01-04,workday,元旦,国办发明电〔2030〕9号\n"
).encode()


def test_a_good_calendar_csv_is_imported(client_as, platform_admin):
    response = client_as(platform_admin).post(CALENDAR_URL, {"file": upload(CALENDAR_CSV, "2031.txt")})
    assert response.status_code == 200
    assert response.context["imported"] == [YearImported(year=2031, days=2, deadlines_recomputed=0)]
    assert CalendarYear.objects.filter(year=2031).exists()
    assert CalendarDay.objects.filter(date__year=2031).count() == 2


def test_a_calendar_json_is_told_by_its_content(client_as, platform_admin):
    body = json.dumps(
        {
            "source": "国办发明电〔2030〕9号",
            "days": [{"date": "2031-10-01", "kind": "holiday", "name": "国庆节"}],
        }
    )
    response = client_as(platform_admin).post(CALENDAR_URL, {"file": upload(body.encode(), "calendar.csv")})
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date="2031-10-01", name="国庆节").exists()


def test_a_calendar_with_bad_rows_lists_each_and_writes_nothing(client_as, platform_admin):
    content = (
        "date,kind,name,source\n"
        "2031-13-01,holiday,元旦,国办发明电〔2030〕9号\n"
        "2031-01-06,workday,元旦,国办发明电〔2030〕9号\n"
    ).encode()
    response = client_as(platform_admin).post(CALENDAR_URL, {"file": upload(content, "2031.csv")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2031-13-01" in page
    assert "无需标为调休上班" in page
    assert [p["row"] for p in response.context["problems"]] == [2, 3]
    assert not CalendarYear.objects.filter(year=2031).exists()
    assert not CalendarDay.objects.filter(date__year=2031).exists()


def test_a_binary_calendar_file_is_refused(client_as, platform_admin):
    response = client_as(platform_admin).post(CALENDAR_URL, {"file": upload(b"\xff\xfe\x00bad", "2031.csv")})
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
