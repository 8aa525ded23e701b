"""Importing a year's official holiday list: parsing, refusing bad files whole, recomputing provisional deadlines."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.workdays.models import CalendarDay, CalendarYear, DayKind
from onewindow.workdays.selectors import calendar_warnings, working_days_add
from onewindow.workdays.services import (
    calendar_day_set,
    calendar_import,
    calendar_parse,
    calendar_year_import,
    deadline_start,
)

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
SOURCE = "国办发明电〔2026〕12号"
HEADER = "date,kind,name,source\n"
CSV_2027 = (
    HEADER
    + f"2027-01-01,holiday,元旦,{SOURCE}\n"
    + f"2027-01-02,休,元旦,{SOURCE}\n"
    + f"2027-01-03,holiday,元旦,{SOURCE}\n"
)


def _import(content: str | bytes, filename: str = "2027.csv", actor=None) -> None:
    raw = content.encode() if isinstance(content, str) else content
    by_year, source = calendar_parse(raw, filename)
    for year, days in by_year.items():
        calendar_year_import(actor=actor, year=year, days=days, source=source)


def _problems(content: str | bytes, filename: str = "2027.csv") -> DomainError:
    raw = content.encode() if isinstance(content, str) else content
    with pytest.raises(DomainError) as caught:
        calendar_parse(raw, filename)
    return caught.value


def _counts() -> tuple[int, int, int]:
    return CalendarDay.objects.count(), CalendarYear.objects.count(), AuditEntry.objects.count()


def test_parsing_a_csv_groups_days_by_year_and_keeps_the_source():
    by_year, source = calendar_parse(CSV_2027.encode(), "2027.csv")
    assert source == SOURCE
    assert [(d.date, d.kind, d.name) for d in by_year[2027]] == [
        (D("2027-01-01"), DayKind.HOLIDAY, "元旦"),
        (D("2027-01-02"), DayKind.HOLIDAY, "元旦"),
        (D("2027-01-03"), DayKind.HOLIDAY, "元旦"),
    ]


def test_parsing_accepts_a_byte_order_mark():
    by_year, _ = calendar_parse(b"\xef\xbb\xbf" + CSV_2027.encode(), "2027.csv")
    assert len(by_year[2027]) == 3


def test_parsing_json_takes_the_source_from_the_document():
    document = {
        "source": SOURCE,
        "days": [
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2027-02-07", "kind": "班", "name": "春节"},
        ],
    }
    by_year, source = calendar_parse(json.dumps(document, ensure_ascii=False).encode(), "2027.JSON")
    assert source == SOURCE
    assert [d.kind for d in by_year[2027]] == [DayKind.HOLIDAY, DayKind.WORKDAY]


def test_importing_a_year_makes_it_official_and_its_results_final():
    _import(CSV_2027)
    due = working_days_add(D("2026-12-30"), 3)
    assert due.date == D("2027-01-05")
    assert due.provisional is False
    assert CalendarYear.objects.get(year=2027).source == SOURCE


def test_importing_a_year_writes_an_audit_entry():
    _import(CSV_2027)
    entry = AuditEntry.objects.get(action="calendar.import")
    assert entry.changes["year"] == 2027
    assert entry.changes["days"] == 3
    assert entry.changes["source"] == SOURCE


def test_importing_a_year_again_replaces_its_list():
    _import(CSV_2027)
    _import(HEADER + f"2027-01-01,holiday,元旦,{SOURCE}\n")
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        D("2027-01-01")
    ]


def test_importing_a_year_leaves_other_years_alone():
    before = CalendarDay.objects.filter(date__year=2026).count()
    _import(CSV_2027)
    assert CalendarDay.objects.filter(date__year=2026).count() == before > 0


def test_importing_the_official_list_recomputes_a_provisional_deadline():
    deadline = deadline_start(label="营业执照", start_on=D("2026-12-30"), working_days=3)
    assert (deadline.due_on, deadline.provisional) == (D("2027-01-04"), True)
    _import(CSV_2027)
    deadline.refresh_from_db()
    assert (deadline.due_on, deadline.provisional) == (D("2027-01-05"), False)


def test_importing_a_year_reports_how_many_deadlines_moved():
    deadline_start(label="甲", start_on=D("2026-12-30"), working_days=3)
    deadline_start(label="乙", start_on=D("2026-09-30"), working_days=1)
    by_year, source = calendar_parse(CSV_2027.encode(), "2027.csv")
    assert calendar_year_import(actor=None, year=2027, days=by_year[2027], source=source) == 1


def test_a_file_covering_two_years_imports_both(platform_admin):
    deadline = deadline_start(label="许可", start_on=D("2026-12-30"), working_days=3)
    content = (CSV_2027 + f"2028-01-01,holiday,元旦,{SOURCE}\n").encode()
    source, years = calendar_import(actor=platform_admin, content=content, filename="2027-2028.csv")
    assert source == SOURCE
    assert [(y.year, y.days) for y in years] == [(2027, 3), (2028, 1)]
    assert set(CalendarYear.objects.filter(year__gte=2027).values_list("year", flat=True)) == {2027, 2028}
    deadline.refresh_from_db()
    assert (deadline.due_on, deadline.provisional) == (D("2027-01-05"), False)


def test_the_calendar_import_command_loads_a_file_and_recomputes_deadlines(tmp_path):
    deadline = deadline_start(label="营业执照", start_on=D("2026-12-30"), working_days=3)
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out = StringIO()
    call_command("calendar", "import", str(path), stdout=out)
    assert "2027: 3 days imported" in out.getvalue()
    assert "1 deadlines recomputed" in out.getvalue()
    deadline.refresh_from_db()
    assert (deadline.due_on, deadline.provisional) == (D("2027-01-05"), False)


def test_the_calendar_show_command_lists_a_years_days():
    out = StringIO()
    call_command("calendar", "show", "2026", stdout=out)
    assert "2026-10-01" in out.getvalue()
    assert "国庆节" in out.getvalue()


def test_the_calendar_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("calendar", "import", str(tmp_path / "absent.csv"))


def test_the_calendar_import_command_names_each_bad_row_and_writes_nothing(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(HEADER + f"2027-01-01,holiday,元旦,{SOURCE}\n2027-02-30,holiday,春节,{SOURCE}\n", "utf-8")
    before = _counts()
    with pytest.raises(CommandError, match="第 3 行 date"):
        call_command("calendar", "import", str(path))
    assert _counts() == before


# --- Bad files: every problem named with its row, nothing written -------------------------------------------


def test_a_bad_date_is_reported_with_its_row():
    error = _problems(CSV_2027 + f"2027-02-30,holiday,春节,{SOURCE}\n")
    assert error.code == "calendar.invalid"
    assert [(p.row, p.field, p.code) for p in error.problems] == [(5, "date", "calendar.date")]


def test_a_bad_kind_is_reported_with_its_row():
    error = _problems(HEADER + f"2027-01-01,vacation,元旦,{SOURCE}\n")
    assert [(p.row, p.field, p.code) for p in error.problems] == [(2, "kind", "calendar.kind")]


def test_a_working_day_on_a_weekday_is_refused():
    error = _problems(HEADER + f"2027-01-04,workday,元旦,{SOURCE}\n")  # a Monday
    assert [(p.row, p.code) for p in error.problems] == [(2, "calendar.workday_weekday")]


def test_a_duplicate_date_is_reported_on_its_second_row():
    error = _problems(CSV_2027 + f"2027-01-01,holiday,元旦,{SOURCE}\n")
    assert [(p.row, p.field, p.code) for p in error.problems] == [(5, "date", "calendar.duplicate")]


def test_a_missing_name_is_reported_with_its_row():
    error = _problems(HEADER + f"2027-01-01,holiday,,{SOURCE}\n")
    assert [(p.row, p.field) for p in error.problems] == [(2, "name")]


def test_a_list_without_a_source_is_refused():
    error = _problems(HEADER + "2027-01-01,holiday,元旦,\n")
    assert [(p.field, p.code) for p in error.problems] == [("source", "calendar.source")]


def test_every_bad_row_is_reported_at_once():
    error = _problems(
        HEADER
        + f"2027-13-01,holiday,元旦,{SOURCE}\n"
        + f"2027-01-02,rest,元旦,{SOURCE}\n"
        + f"2027-01-05,workday,春节,{SOURCE}\n"
    )
    assert [p.row for p in error.problems] == [2, 3, 4]
    assert "3" in error.message


def test_a_short_row_is_reported_without_placeholder_text():
    error = _problems(CSV_2027 + "2027-02-11\n")
    assert [(p.row, p.field) for p in error.problems] == [(5, "kind"), (5, "name")]
    assert "None" not in error.problems[0].message


def test_missing_columns_are_refused():
    assert _problems("date,name\n2027-01-01,元旦\n").code == "calendar.columns"


def test_a_file_that_is_neither_csv_nor_json_is_refused():
    assert _problems(CSV_2027, "2027.xlsx").code == "calendar.format"


def test_malformed_json_is_refused():
    assert _problems('{"source": "x", "days": [', "2027.json").code == "calendar.json"


def test_json_without_a_days_list_is_refused():
    assert _problems('{"source": "x"}', "2027.json").code == "calendar.json"


def test_a_bad_json_row_is_reported_with_its_position():
    document = {"source": SOURCE, "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, "x"]}
    error = _problems(json.dumps(document), "2027.json")
    assert [(p.row, p.field) for p in error.problems] == [(2, "date")]


def test_a_file_not_in_utf8_is_refused():
    assert _problems(CSV_2027.encode("gbk")).code == "calendar.encoding"


def test_an_empty_list_is_refused():
    assert _problems(json.dumps({"source": SOURCE, "days": []}), "2027.json").code == "calendar.empty"


def test_a_refused_file_writes_nothing():
    before = _counts()
    with pytest.raises(DomainError):
        _import(CSV_2027 + f"2027-01-01,holiday,元旦,{SOURCE}\n")
    assert _counts() == before


# --- Hand edits and the administrators' warning ---------------------------------------------------------


def test_setting_a_new_holiday_moves_the_deadlines_across_it():
    deadline = deadline_start(label="许可", start_on=D("2026-12-01"), working_days=5)
    assert deadline.due_on == D("2026-12-08")
    calendar_day_set(actor=None, date=D("2026-12-03"), kind=DayKind.HOLIDAY, name="临时假日", source=SOURCE)
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-12-09")


def test_setting_a_working_day_on_a_weekday_is_refused():
    with pytest.raises(DomainError) as caught:
        calendar_day_set(actor=None, date=D("2026-12-03"), kind=DayKind.WORKDAY, name="调休", source=SOURCE)
    assert caught.value.code == "calendar.workday_weekday"
    assert not CalendarDay.objects.filter(date=D("2026-12-03")).exists()


def test_administrators_are_warned_about_next_year_until_it_is_imported(monkeypatch):
    from onewindow.core import clock

    monkeypatch.setattr(clock, "today", lambda: D("2026-11-20"))
    deadline_start(label="许可", start_on=D("2026-12-30"), working_days=3)
    assert [(w.year, w.provisional_deadlines) for w in calendar_warnings()] == [(2027, 1)]
    _import(CSV_2027)
    assert calendar_warnings() == []
