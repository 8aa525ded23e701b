"""Calendar writes: seeding, importing a year's official list, editing days; and the deadlines counted on it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.workdays.calendar import WorkCalendar, calendar_generation_bump
from onewindow.workdays.models import CalendarDay, CalendarYear, DayKind, Deadline, DeadlinePause

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
KIND_ALIASES = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
LIBRARY_SOURCE = "国务院办公厅节假日安排通知（chinesecalendar 1.11 收录）"


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    kind: str
    name: str


def calendar_days_from_library(years: range) -> dict[int, list[OfficialDay]]:
    """The official lists the chinesecalendar package carries (2004–2026), by year."""
    import chinese_calendar

    result: dict[int, list[OfficialDay]] = {year: [] for year in years}
    for table, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.WORKDAY),
    ):
        for date, name in table.items():
            if date.year in result:
                result[date.year].append(OfficialDay(date, kind, HOLIDAY_NAMES_ZH.get(name, name)))
    return {year: days for year, days in result.items() if days}


def calendar_parse(content: bytes, filename: str) -> tuple[dict[int, list[OfficialDay]], str]:
    """Parse an official list (CSV or JSON, format in docs/calendar-import.md); every bad row is reported."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(code="calendar.encoding", message="文件须为 UTF-8 编码的 CSV 或 JSON。") from exc
    source = ""
    rows: list[tuple[int, dict[str, Any]]]
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DomainError(
                code="calendar.json", message=f"JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("days"), list):
            raise DomainError(
                code="calendar.json", message="JSON 须为对象，含 source（文号）和 days（日期列表）。"
            )
        source = str(data.get("source") or "")
        rows = [(i, row if isinstance(row, dict) else {}) for i, row in enumerate(data["days"], start=1)]
    elif filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        missing = {"date", "kind", "name"} - set(reader.fieldnames or [])
        if missing:
            raise DomainError(
                code="calendar.columns",
                message=f"CSV 缺少列：{'、'.join(sorted(missing))}（须含 date,kind,name,source）。",
            )
        rows = list(enumerate(reader, start=2))
    else:
        raise DomainError(code="calendar.format", message="仅支持 .csv 或 .json 文件。")

    problems: list[FieldProblem] = []
    by_year: dict[int, list[OfficialDay]] = {}
    seen: set[dt.date] = set()
    for number, row in rows:
        source = source or str(row.get("source") or "").strip()
        try:
            date = dt.date.fromisoformat(str(row.get("date") or "").strip())
        except ValueError:
            problems.append(
                FieldProblem(
                    "date", "calendar.date", f"日期“{row.get('date') or ''}”无效，应为 YYYY-MM-DD。", number
                )
            )
            continue
        kind = KIND_ALIASES.get(str(row.get("kind") or "").strip().lower())
        name = str(row.get("name") or "").strip()
        if kind is None:
            problems.append(
                FieldProblem(
                    "kind",
                    "calendar.kind",
                    f"类型“{row.get('kind') or ''}”无效，应为 holiday（休）或 workday（班）。",
                    number,
                )
            )
        elif kind == DayKind.WORKDAY and date.weekday() < 5:
            problems.append(
                FieldProblem(
                    "kind",
                    "calendar.workday_weekday",
                    f"{date} 是工作日（周一至周五），无需标为调休上班。",
                    number,
                )
            )
        if not name:
            problems.append(FieldProblem("name", "calendar.name", "请填写节日名称（如“国庆节”）。", number))
        if date in seen:
            problems.append(FieldProblem("date", "calendar.duplicate", f"日期 {date} 重复出现。", number))
        seen.add(date)
        if kind is not None and name:
            by_year.setdefault(date.year, []).append(OfficialDay(date, kind, name))
    if not source.strip():
        problems.append(
            FieldProblem("source", "calendar.source", "请注明来源（发文字号，如“国办发明电〔2026〕12号”）。")
        )
    if problems:
        raise DomainError(
            code="calendar.invalid",
            message=f"节假日文件有 {len(problems)} 处问题，未导入任何数据。",
            problems=problems,
        )
    if not by_year:
        raise DomainError(code="calendar.empty", message="文件中没有任何日期。")
    return by_year, source.strip()


@transaction.atomic
def calendar_year_import(*, actor: Any | None, year: int, days: list[OfficialDay], source: str) -> int:
    """Replace one year's list with the official one and recompute the provisional deadlines it affects.

    Returns how many deadlines moved or stopped being provisional.
    """
    calendar_generation_bump()  # every cached year of the calendar is stale from here on
    before = list(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d.date, kind=d.kind, name=d.name, source=source) for d in days
    )
    year_row, created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    audit_record(
        actor=actor,
        action="calendar.import",
        target=year_row,
        changes={
            "year": year,
            "source": source,
            "days": len(days),
            "replaced": len(before),
            "first_import": created,
        },
    )
    return deadlines_recompute(years={year})


@dataclass(frozen=True)
class YearImported:
    year: int
    days: int
    deadlines_recomputed: int


@transaction.atomic
def calendar_import(*, actor: Any | None, content: bytes, filename: str) -> tuple[str, list[YearImported]]:
    """Parse an official list file and import every year in it, all or nothing; returns its source and years."""
    by_year, source = calendar_parse(content, filename)
    return source, [
        YearImported(year, len(days), calendar_year_import(actor=actor, year=year, days=days, source=source))
        for year, days in sorted(by_year.items())
    ]


@transaction.atomic
def calendar_day_set(*, actor: Any | None, date: dt.date, kind: str, name: str, source: str) -> CalendarDay:
    """Add or change one day by hand (e.g. a newly announced holiday) and recompute what it affects."""
    calendar_generation_bump()  # every cached year of the calendar is stale from here on
    if kind not in DayKind.values:
        raise DomainError(code="calendar.kind", message="类型应为 holiday（休）或 workday（班）。")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise DomainError(
            code="calendar.workday_weekday", message=f"{date} 是工作日（周一至周五），无需标为调休上班。"
        )
    if not name.strip() or not source.strip():
        raise DomainError(code="calendar.name", message="请填写节日名称和来源（发文字号）。")
    day, _ = CalendarDay.objects.update_or_create(
        date=date, defaults={"kind": kind, "name": name.strip(), "source": source.strip()}
    )
    audit_record(actor=actor, action="calendar.day_set", target=day, changes={"kind": kind, "name": name})
    deadlines_recompute(years={date.year}, include_official=True)
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Any | None, day: CalendarDay) -> None:
    """Remove a listed day (it falls back to the Mon–Fri rule) and recompute what it affects."""
    calendar_generation_bump()  # every cached year of the calendar is stale from here on
    audit_record(actor=actor, action="calendar.day_delete", target=day, changes={"date": str(day.date)})
    year = day.date.year
    day.delete()
    deadlines_recompute(years={year}, include_official=True)


# --- Deadlines ------------------------------------------------------------------------------------------


def _pauses(deadline: Deadline) -> list[tuple[dt.date, dt.date]]:
    # An open pause runs until today: while the clock is stopped the due date moves a day each working day.
    today = clock.today()
    return [(p.start_on, p.end_on or max(today, p.start_on)) for p in deadline.pauses.all()]


def _deadline_compute(deadline: Deadline, calendar: WorkCalendar) -> bool:
    due = calendar.add_working_days(deadline.start_on, deadline.working_days, _pauses(deadline))
    changed = (due.date, due.provisional) != (deadline.due_on, deadline.provisional)
    deadline.due_on, deadline.provisional = due.date, due.provisional
    return changed


@transaction.atomic
def deadline_start(*, label: str, start_on: dt.date, working_days: int) -> Deadline:
    """Start a legal clock of ``working_days`` counted from the day after ``start_on``."""
    if working_days < 0:
        raise DomainError(code="deadline.negative", message="时限不能为负数。")
    deadline = Deadline(label=label, start_on=start_on, working_days=working_days)
    _deadline_compute(deadline, WorkCalendar())
    deadline.save()
    return deadline


@transaction.atomic
def deadline_pause(
    *, actor: Any | None, deadline: Deadline, start_on: dt.date, reason: str, basis: str = ""
) -> DeadlinePause:
    """Stop the clock from ``start_on`` (特别程序: hearing, inspection, testing, expert review …)."""
    if not reason.strip():
        raise DomainError(code="deadline.reason_required", message="请填写暂停计时的原因。")
    if start_on < deadline.start_on:
        raise DomainError(code="deadline.pause_before_start", message="暂停日期不能早于计时起始日。")
    last = deadline.pauses.order_by("-start_on").first()
    if last is not None and (last.end_on is None or last.end_on >= start_on):
        raise DomainError(
            code="deadline.already_paused", message="计时已处于暂停状态，或与已有暂停区间重叠。", status=409
        )
    pause = DeadlinePause.objects.create(
        deadline=deadline, start_on=start_on, reason=reason.strip(), basis=basis.strip()
    )
    _deadline_compute(deadline, WorkCalendar())
    deadline.save(update_fields=["due_on", "provisional", "updated_at"])
    audit_record(
        actor=actor,
        action="deadline.pause",
        target=deadline,
        changes={"from": str(start_on), "reason": reason},
    )
    return pause


@transaction.atomic
def deadline_resume(*, actor: Any | None, deadline: Deadline, end_on: dt.date) -> Deadline:
    """Restart a paused clock; ``end_on`` is the last paused day. The due date moves by the paused working days."""
    pause = deadline.pauses.filter(end_on__isnull=True).first()
    if pause is None:
        raise DomainError(code="deadline.not_paused", message="计时未处于暂停状态。", status=409)
    if end_on < pause.start_on:
        raise DomainError(code="deadline.resume_before_pause", message="恢复日期不能早于暂停开始日。")
    pause.end_on = end_on
    pause.save(update_fields=["end_on", "updated_at"])
    before = deadline.due_on
    _deadline_compute(deadline, WorkCalendar())
    deadline.save(update_fields=["due_on", "provisional", "updated_at"])
    audit_record(
        actor=actor,
        action="deadline.resume",
        target=deadline,
        changes={"due_on": [str(before), str(deadline.due_on)]},
    )
    return deadline


def deadlines_recompute(*, years: set[int], include_official: bool = False) -> int:
    """Recompute deadlines counted over ``years``: the provisional ones, or (after a hand edit of an official
    year) every deadline whose span touches those years. Returns how many changed."""
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    candidates = Deadline.objects.filter(start_on__lte=last, due_on__gte=first)
    if not include_official:
        candidates = candidates.filter(provisional=True)
    return deadlines_refresh(candidates)


def deadlines_refresh(deadlines: QuerySet[Deadline]) -> int:
    """Recompute the given deadlines' due dates; returns how many changed."""
    calendar, changed = WorkCalendar(), []
    for deadline in deadlines.prefetch_related("pauses").iterator(chunk_size=500):
        if _deadline_compute(deadline, calendar):
            changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_on", "provisional"], batch_size=500)
    return len(changed)
