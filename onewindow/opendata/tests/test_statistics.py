"""The published statistics are computed from the cases and pass through small-cell suppression: a count
under the threshold reads "<5" in the CSV and null in the JSON and the API, and the cells that would let it
be recovered from the totals are hidden too."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.opendata import services
from onewindow.opendata.models import DatasetKind
from onewindow.opendata.tables import dataset_table

pytestmark = pytest.mark.django_db

BASIS = "月度办件量为汇总统计，不含个人信息，小于 5 的单元格已抑制。"


def _copies(case: Case, n: int, submitted: dt.datetime) -> None:
    """``n`` more cases like ``case`` received at ``submitted`` (the aggregate only counts rows)."""
    rows = []
    for _i in range(n):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = None
        copy.deadline = None
        copy.delivery_deadline = None
        copy.submitted_at = submitted
        rows.append(copy)
    Case.objects.bulk_create(rows)


@pytest.fixture
def volumes(at, citizen, department_a, platform_admin):
    at("2026-09-29")
    small, large = case_item(department=department_a), case_item(department=department_a)
    july, august = (dt.datetime(2026, m, 10, 3, tzinfo=dt.UTC) for m in (7, 8))
    for item, counts in ((small, (7, 3)), (large, (8, 9))):
        template = case_in_state("submitted", user=citizen, item=item)
        Case.objects.filter(pk=template.pk).update(submitted_at=july)
        _copies(template, counts[0] - 1, july)
        _copies(template, counts[1], august)
    dataset = services.dataset_create(
        actor=None,
        slug="monthly-case-volumes",
        kind=DatasetKind.MONTHLY_VOLUMES,
        title="月度办件量",
        description="各事项每月收件量。",
        publisher=department_a,
    )
    services.dataset_review_record(actor=platform_admin, dataset=dataset, decision="approved", basis=BASIS)
    return dataset, small, large


def test_a_monthly_count_under_the_threshold_is_suppressed_with_its_row_and_column_partners(volumes):
    dataset, small, large = volumes

    table = dataset_table(dataset=dataset)

    rows = {row["implementation_code"]: row for row in table.rows}
    assert rows[small.implementation_code]["2026-08"] is None  # 3: primary
    assert rows[small.implementation_code]["2026-07"] is None  # 7: its row would give it away
    assert rows[large.implementation_code]["2026-08"] is None  # 9: its column would give it away
    assert rows[small.implementation_code]["total"] == 10
    assert rows[""]["2026-08"] == 12 and rows[""]["total"] == 27
    assert table.threshold == 5 and table.suppressed >= 3


def test_the_csv_shows_suppressed_cells_as_under_the_threshold_and_the_api_as_null(client, volumes):
    dataset, small, _large = volumes

    text = client.get(reverse("opendata:download_csv", args=[dataset.slug])).content.decode("utf-8-sig")
    api = client.get(f"/api/v1/opendata/datasets/{dataset.slug}").json()

    line = next(r for r in csv.reader(io.StringIO(text)) if r and r[0] == small.implementation_code)
    assert "<5" in line and "3" not in line[3:]
    row = next(r for r in api["rows"] if r["implementation_code"] == small.implementation_code)
    assert row["2026-08"] is None and api["suppression_threshold"] == 5


def test_the_threshold_comes_from_the_settings(volumes, settings):
    dataset, small, _large = volumes
    settings.ONEWINDOW_OPENDATA_MIN_CELL = 2

    rows = {row["implementation_code"]: row for row in dataset_table(dataset=dataset).rows}

    assert rows[small.implementation_code]["2026-08"] == 3


def test_the_statistics_page_is_built_in_a_bounded_number_of_queries(
    client, volumes, django_assert_max_num_queries
):
    dataset, _small, _large = volumes

    with django_assert_max_num_queries(12):
        response = client.get(reverse("opendata:dataset", args=[dataset.slug]))

    assert response.status_code == 200
