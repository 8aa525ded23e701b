"""统计分析 in the browser: a platform administrator drills down from the province to a department, an item
and its cases, opens a figure's definition, the staff ranking and the regional evaluation report (PDF)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.analytics.services import rollups_refresh
from onewindow.analytics.tests.seed import cases_seed, items_seed, ratings_seed
from onewindow.cases.models import Case
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import person

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "measures"


@pytest.fixture
def seeded(db, at, department_a, department_b, clerk_a):
    at("2026-12-01")
    items = items_seed(department_a, department_b)
    cases = cases_seed(items, person(1, name="张三"))
    ratings_seed(cases)
    Case.objects.filter(department=department_a).update(accepted_by=clerk_a)
    rollups_refresh()  # the dashboard reads the rollups
    return items


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_dashboard_drill_down_performance_and_report(
    new_page, live_server, seeded, platform_admin, department_a
):
    page = signed_in_page(new_page, live_server, platform_admin)
    page.goto("/workbench/analytics/?start=2026-11-01&end=2026-11-30")
    expect(page.get_by_role("heading", name="统计分析", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="比率")).to_be_visible()
    shot(page, "dashboard")

    page.get_by_role("link", name="福建省").first.click()
    page.get_by_role("link", name="福州市").first.click()
    page.get_by_role("link", name="市市场监管局").first.click()
    expect(page.get_by_role("heading", name="By item")).to_have_count(0)
    shot(page, "drill-down-items")
    page.get_by_role("link", name="食品经营许可").first.click()
    expect(page.get_by_role("heading", name="期内收件的办件")).to_be_visible()
    shot(page, "drill-down-cases")

    page.get_by_role("link", name="按时办结率").first.click()
    expect(page.locator("#on_time_rate")).to_be_visible()
    shot(page, "definitions")

    page.goto("/workbench/analytics/performance/?month=2026-11")
    expect(page.get_by_role("heading", name="人员月度排名")).to_be_visible()
    expect(page.get_by_role("cell", name="窗口受理")).to_have_count(0)
    shot(page, "performance")

    page.goto(f"/workbench/analytics/evaluation/?region={department_a.region_id}&month=2026-11")
    expect(page.get_by_role("rowheader", name="成效度")).to_be_visible()
    shot(page, "evaluation")
    response = page.request.get(
        f"/workbench/analytics/evaluation.pdf?region={department_a.region_id}&month=2026-11"
    )
    assert response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "evaluation-report.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf),
                str(SHOTS / "evaluation-report"),
            ],
            check=True,
        )
    pdf.unlink()

    phone = signed_in_page(new_page, live_server, platform_admin, PHONE)
    phone.goto("/workbench/analytics/?start=2026-11-01&end=2026-11-30")
    shot(phone, "dashboard-phone")
