# ruff: noqa: S608 -- the queries are assembled from constant fragments of this file, never from input
"""Each figure of the dashboard equals an independent SQL computation on the same data (issue #15): the
queries below are written against the tables, not through the ORM or the analytics code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from onewindow.analytics import selectors
from onewindow.analytics.figures import Period
from onewindow.analytics.services import rollups_refresh
from onewindow.analytics.tests.seed import cases_seed, items_seed, moment, ratings_seed
from tests.factories import person

PERIOD = Period(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))


@pytest.fixture
def seeded(db, at, department_a, department_b):
    at("2026-12-01")
    items = items_seed(department_a, department_b)
    ratings_seed(cases_seed(items, person(1, name="张三")))
    return items


@pytest.fixture
def board(seeded, platform_admin):
    # The dashboard reads the rollups: each figure below is the rolled-up one, checked against the tables.
    rollups_refresh()
    figures = selectors.dashboard(user=platform_admin, period=PERIOD).totals
    return {f.measure.code: f for f in figures}


def one(sql: str, params: list[object] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def bound(value: dt.datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


SINCE, UNTIL = bound(moment("2026-11-01", 0)), bound(moment("2026-12-01", 0))


def local_date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


PUBLISHED = """FROM catalogue_item i JOIN catalogue_itemversion v ON v.id = i.published_version_id"""


def ratio(numerator: object, denominator: object) -> float:
    return float(numerator) / float(denominator)  # type: ignore[arg-type]


def test_online_rate_equals_sql(board):
    online = one(
        f"SELECT COUNT(*) {PUBLISHED} WHERE CAST(v.handling_forms AS TEXT) LIKE '%\"2\"%' "
        "OR CAST(v.handling_forms AS TEXT) LIKE '%\"3\"%'"
    )
    total = one(f"SELECT COUNT(*) {PUBLISHED}")
    assert (online, total) == (3, 4)
    assert board["online_rate"].value == pytest.approx(ratio(online, total))


def test_fully_online_rate_equals_sql(board):
    zero = one(f"SELECT COUNT(*) {PUBLISHED} WHERE v.onsite_visits = 0")
    total = one(f"SELECT COUNT(*) {PUBLISHED}")
    assert board["fully_online_rate"].value == pytest.approx(ratio(zero, total)) == 0.75


def test_immediate_share_equals_sql(board):
    immediate = one(f"SELECT COUNT(*) {PUBLISHED} WHERE v.case_type = 1")
    total = one(f"SELECT COUNT(*) {PUBLISHED}")
    assert board["immediate_share"].value == pytest.approx(ratio(immediate, total)) == 0.25


def test_compression_ratio_equals_sql(board):
    promised = one(f"SELECT SUM(v.promised_days) {PUBLISHED}")
    statutory = one(f"SELECT SUM(v.statutory_days) {PUBLISHED}")
    assert board["compression_ratio"].value == pytest.approx(1 - ratio(promised, statutory))


def test_on_time_rate_equals_sql(board):
    concluded = "FROM cases_case c JOIN workdays_deadline d ON d.id = c.deadline_id WHERE c.concluded_at >= %s AND c.concluded_at < %s"
    on_time = one(
        f"SELECT COUNT(*) {concluded} AND {local_date('c.concluded_at')} <= d.due_on", [SINCE, UNTIL]
    )
    total = one(f"SELECT COUNT(*) {concluded}", [SINCE, UNTIL])
    assert (on_time, total) == (3, 5)
    assert board["on_time_rate"].value == pytest.approx(ratio(on_time, total))


def test_average_working_days_equals_sql(board):
    if connection.vendor == "postgresql":
        series = f"""SELECT c.id, g::date AS day FROM cases_case c,
            generate_series({local_date("c.accepted_at")} + 1, {local_date("c.concluded_at")}, interval '1 day') g
            WHERE c.concluded_at >= %s AND c.concluded_at < %s"""
        weekday = "EXTRACT(ISODOW FROM s.day) < 6"
    else:
        series = f"""WITH RECURSIVE s(id, day, last) AS (
            SELECT c.id, date({local_date("c.accepted_at")}, '+1 day'), {local_date("c.concluded_at")} FROM cases_case c
            WHERE c.concluded_at >= %s AND c.concluded_at < %s
            UNION ALL SELECT id, date(day, '+1 day'), last FROM s WHERE day < last)
            SELECT id, day FROM s WHERE day <= last"""
        weekday = "strftime('%%w', s.day) NOT IN ('0', '6')"
    working = f"""
        SELECT COUNT(*) FROM ({series}) s LEFT JOIN workdays_calendarday k ON k.date = s.day
        WHERE (k.kind = 'workday') OR (k.kind IS NULL AND {weekday})"""
    total_days = one(working, [SINCE, UNTIL])
    concluded = one(
        "SELECT COUNT(*) FROM cases_case WHERE concluded_at >= %s AND concluded_at < %s AND accepted_at IS NOT NULL",
        [SINCE, UNTIL],
    )
    # 4 + 6 + 5 + 0 + 19 working days (no holiday in November 2026)
    assert (total_days, concluded) == (34, 5)
    assert board["average_working_days"].value == pytest.approx(ratio(total_days, concluded))


def test_average_visits_equals_sql(board):
    visits = one(
        "SELECT SUM(v.onsite_visits) FROM cases_case c JOIN catalogue_itemversion v ON v.id = c.item_version_id "
        "WHERE c.concluded_at >= %s AND c.concluded_at < %s",
        [SINCE, UNTIL],
    )
    concluded = one(
        "SELECT COUNT(*) FROM cases_case WHERE concluded_at >= %s AND concluded_at < %s", [SINCE, UNTIL]
    )
    assert board["average_visits"].value == pytest.approx(ratio(visits, concluded)) == 0.2


def test_no_submission_rate_equals_sql(board):
    received = "FROM cases_casematerial m JOIN cases_case c ON c.id = m.case_id WHERE c.submitted_at >= %s AND c.submitted_at < %s"
    trust_a = one(f"SELECT COUNT(*) {received} AND m.trust_level = 'A'", [SINCE, UNTIL])
    total = one(f"SELECT COUNT(*) {received}", [SINCE, UNTIL])
    assert (trust_a, total) == (6, 12)
    assert board["no_submission_rate"].value == pytest.approx(ratio(trust_a, total))


RATED = "FROM ratings_rating r WHERE r.excluded = %s AND r.rated_at >= %s AND r.rated_at < %s"


def test_good_rating_rate_equals_sql(board):
    good = one(f"SELECT COUNT(*) {RATED} AND r.level <= 3", [False, SINCE, UNTIL])
    total = one(f"SELECT COUNT(*) {RATED}", [False, SINCE, UNTIL])
    assert (good, total) == (3, 5)
    assert board["good_rating_rate"].value == pytest.approx(ratio(good, total))


def test_rectification_rate_equals_sql(board):
    bad = one(f"SELECT COUNT(*) {RATED} AND r.level >= 4", [False, SINCE, UNTIL])
    fixed = one(
        f"SELECT COUNT(*) {RATED.replace('WHERE', 'JOIN ratings_rectification x ON x.rating_id = r.id WHERE')} "
        "AND r.level >= 4 AND x.in_time = %s",
        [False, SINCE, UNTIL, True],
    )
    assert (fixed, bad) == (1, 2)
    assert board["rectification_rate"].value == pytest.approx(ratio(fixed, bad))


def test_volumes_equal_sql(board):
    received = one(
        "SELECT COUNT(*) FROM cases_case WHERE submitted_at >= %s AND submitted_at < %s", [SINCE, UNTIL]
    )
    concluded = one(
        "SELECT COUNT(*) FROM cases_case WHERE concluded_at >= %s AND concluded_at < %s", [SINCE, UNTIL]
    )
    assert (board["received"].value, board["concluded"].value) == (received, concluded) == (8, 5)


def test_backlogs_equal_sql(board):
    open_statuses = "('accepted', 'in_process', 'suspended')"
    backlog = one(f"SELECT COUNT(*) FROM cases_case WHERE status IN {open_statuses}")
    overdue = one(
        f"SELECT COUNT(*) FROM cases_case c JOIN workdays_deadline d ON d.id = c.deadline_id "
        f"WHERE c.status IN {open_statuses} AND d.due_on < %s",
        [dt.date(2026, 12, 1)],
    )
    assert (board["backlog"].value, board["overdue_backlog"].value) == (backlog, overdue) == (2, 1)


def test_department_row_equals_sql_for_that_department(seeded, platform_admin, department_b):
    rollups_refresh()
    region_board = selectors.dashboard(
        user=platform_admin, period=PERIOD, region_id=str(department_b.region_id)
    )
    row = next(r for r in region_board.rows if r.target == department_b.pk)
    received = one(
        "SELECT COUNT(*) FROM cases_case WHERE department_id = %s AND submitted_at >= %s AND submitted_at < %s",
        [department_b.pk.hex if connection.vendor == "sqlite" else department_b.pk, SINCE, UNTIL],
    )
    figure = next(f for f in row.figures if f.measure.code == "received")
    assert figure.value == received == 2
