"""The rollups the dashboard reads: a change shows after the next refresh (not before), an incremental refresh
recomputes only the days that changed, and a full refresh gives the same rows as the incremental ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from onewindow.analytics import selectors
from onewindow.analytics.figures import Period
from onewindow.analytics.models import BacklogSnapshot, DailyRollup, RollupRun
from onewindow.analytics.services import rollups_refresh
from onewindow.analytics.tests.seed import case_row, cases_seed, items_seed, moment, ratings_seed
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.core.models import AuditEntry
from onewindow.ratings.models import Rating, Rectification
from tests.factories import person

NOVEMBER = Period(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
DECEMBER = Period(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))


@pytest.fixture
def seeded(db, at, department_a, department_b):
    at("2026-12-01")
    items = items_seed(department_a, department_b)
    ratings_seed(cases_seed(items, person(1, name="张三")))
    # Saved well before the first refresh, so a later refresh sees them as unchanged (past the overlap).
    earlier = timezone.now() - dt.timedelta(days=2)
    for model in (Case, CaseMaterial, Rating, Rectification):
        model.objects.update(updated_at=earlier)
    return items


def figure(user, code: str, period: Period = NOVEMBER) -> float | None:
    board = selectors.dashboard(user=user, period=period)
    return next(f.value for f in board.totals if f.measure.code == code)


def rows_by_day() -> dict[tuple[dt.date, object, object], int]:
    return {(r.day, r.department_id, r.item_id): r.pk for r in DailyRollup.objects.all()}


def test_the_first_refresh_is_full_and_audited_and_the_page_states_its_time(seeded, platform_admin):
    assert selectors.dashboard(user=platform_admin, period=NOVEMBER).refreshed_at is None
    run = rollups_refresh()
    assert run.full
    assert AuditEntry.objects.filter(action="analytics.rollup_refresh", target_id=str(run.pk)).count() == 1
    board = selectors.dashboard(user=platform_admin, period=NOVEMBER)
    assert board.refreshed_at == run.finished_at
    assert figure(platform_admin, "received") == 8


def test_a_case_received_after_a_refresh_shows_after_the_next_one(seeded, platform_admin):
    rollups_refresh()
    case_row(
        item=seeded["online"],
        applicant=person(2, name="李四"),
        submitted="2026-11-16",
        accepted="2026-11-16",
        concluded="2026-11-18",
        due="2026-11-20",
    )
    assert figure(platform_admin, "received") == 8  # as of the previous refresh
    run = rollups_refresh()
    assert not run.full
    assert (figure(platform_admin, "received"), figure(platform_admin, "concluded")) == (9, 6)
    assert figure(platform_admin, "on_time_rate") == pytest.approx(4 / 6)


def test_an_incremental_refresh_rewrites_only_the_changed_days(seeded, platform_admin):
    rollups_refresh()
    before = rows_by_day()
    rating = Rating.objects.get(rated_at=moment("2026-11-13"))
    rating.level = 1
    rating.save()
    run = rollups_refresh()
    # The rating's day, plus today and yesterday (2026-12-01 and 2026-11-30), which are always recomputed.
    assert run.days == 3
    after = rows_by_day()
    changed = {key[0] for key in after if before.get(key) != after[key]}
    assert changed == {dt.date(2026, 11, 13)}
    assert figure(platform_admin, "good_rating_rate") == pytest.approx(4 / 5)


def test_concluding_an_open_case_moves_the_backlog_at_the_next_refresh(seeded, platform_admin):
    rollups_refresh()
    assert figure(platform_admin, "backlog") == 2
    case = Case.objects.get(submitted_at=moment("2026-11-20"))
    case.status, case.concluded_at = CaseStatus.CONCLUDED, moment("2026-12-01", 11)
    case.save()
    rollups_refresh()
    assert figure(platform_admin, "backlog") == 1
    assert figure(platform_admin, "concluded", DECEMBER) == 1
    assert BacklogSnapshot.objects.count() == 1


def test_a_full_refresh_writes_what_the_incremental_ones_added_up_to(seeded, platform_admin):
    rollups_refresh()
    case_row(item=seeded["window"], applicant=person(2, name="李四"), submitted="2026-11-03", trust=("A",))
    rollups_refresh()
    incremental = sorted(
        DailyRollup.objects.values_list("day", "department_id", "item_id", "received", "materials")
    )
    call_command("analytics_rollup", "--full", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RollupRun.objects.first().full  # type: ignore[union-attr]
    full = sorted(DailyRollup.objects.values_list("day", "department_id", "item_id", "received", "materials"))
    assert incremental == full


def test_the_trend_chart_sums_the_rollups(seeded, platform_admin):
    rollups_refresh()
    period = Period(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30))
    assert selectors.monthly_volumes(user=platform_admin, period=period) == [
        ("2026-10", 1, 1),
        ("2026-11", 8, 5),
    ]


def test_the_dashboard_reads_a_bounded_number_of_queries(
    seeded, platform_admin, django_assert_max_num_queries
):
    rollups_refresh()
    with django_assert_max_num_queries(12):
        selectors.dashboard(user=platform_admin, period=NOVEMBER)
