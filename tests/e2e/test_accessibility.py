"""Accessibility in headless Chromium: axe-core (WCAG 2.1 A/AA rules, bundled by axe-playwright-python so
nothing is downloaded) over every main page with no serious or critical violation, and tap targets of at
least 44 × 44 px on a phone (WCAG 2.5.5; links inside running text — a paragraph, or beside other words — are
exempt, as the criterion says)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.halls import services as hall_services
from onewindow.halls.models import CentreKind
from onewindow.organisations.models import Role
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TAP_MIN = 44

# Visible controls that are not links inside running text; a checkbox or radio counts with its label.
TAP_TARGETS_JS = """
() => {
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('[hidden], .visually-hidden')) continue;
    let target = el;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) target = el.closest('label');
    else if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels[0]) target = el.labels[0].parentElement;
    if (el.tagName === 'A' && el.closest('p')) continue;  // a paragraph is running text
    if (el.tagName === 'A') {
      const parent = el.parentElement;
      const own = (el.textContent || '').trim().length;
      const around = (parent.textContent || '').trim().length;
      if (around > own + 1 && ['P', 'LI', 'DD', 'TD', 'SPAN', 'SMALL', 'DIV'].includes(parent.tagName)
          && getComputedStyle(el).display === 'inline') continue;
    }
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.height < TAP_MIN || box.width < TAP_MIN) {
      small.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.name || el.id || '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
""".replace("TAP_MIN", str(TAP_MIN))


@pytest.fixture
def world(db):
    """A citizen with a submitted case, the window clerk and a reviewer of its department, a centre, a
    village station with its helper."""
    department = DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    item = case_item(department=department, name="食品经营许可")
    citizen = person(1, name="张三").user
    clerk = MembershipFactory(
        user=UserFactory(username="clerk", is_staff=True), department=department, role=Role.WINDOW_CLERK
    ).user
    reviewer = MembershipFactory(
        user=UserFactory(username="reviewer", is_staff=True), department=department, role=Role.REVIEWER
    ).user
    case = case_in_state("submitted", user=citizen, item=item)
    station = hall_services.centre_create(
        actor=None,
        name="三坊七巷社区便民服务站",
        kind=CentreKind.VILLAGE_STATION,
        region=department.region,
        window_department=department,
        address="南后街",
        opening_hours="周一至周五",
        phone="0591-87551234",
    )
    hall_services.window_clerk_assign(actor=None, centre=station, user=clerk)
    return {
        "item": item,
        "citizen": citizen,
        "clerk": clerk,
        "reviewer": reviewer,
        "case": case,
        "station": station,
    }


def _pages(world) -> list[tuple[str | None, str]]:
    code = world["item"].implementation_code
    case = world["case"]
    return [
        (None, "/"),
        (None, "/services/search/?q=食品"),
        (None, f"/services/items/{code}/"),
        (None, "/track/"),
        (None, "/licences/verify/"),
        (None, "/halls/"),
        (None, "/accounts/login/"),
        (None, "/kiosk/"),
        (None, "/kiosk/services/"),
        (None, f"/kiosk/services/{code}/"),
        (None, "/kiosk/card/"),
        (None, "/elderly/"),
        ("citizen", f"/cases/apply/{code}/"),
        ("citizen", "/cases/"),
        ("citizen", f"/cases/{case.pk}/"),
        ("citizen", "/licences/"),
        ("citizen", "/accounts/representatives/"),
        ("clerk", "/workbench/"),
        ("reviewer", "/workbench/tasks/"),
        ("clerk", f"/workbench/cases/{case.pk}/"),
        ("clerk", f"/workbench/assist/{world['station'].pk}/file/"),
        ("clerk", "/workbench/assist/callbacks/"),
    ]


def _page_for(who, world, new_page, live_server, viewport=None):
    if who is None:
        return new_page(viewport) if viewport else new_page()
    return signed_in_page(new_page, live_server, world[who], viewport)


def test_no_serious_or_critical_axe_violations_on_the_main_pages(new_page, live_server, world):
    axe = Axe()
    found: list[str] = []
    pages: dict[str | None, object] = {}
    for who, path in _pages(world):
        page = pages.get(who) or pages.setdefault(who, _page_for(who, world, new_page, live_server))
        response = page.goto(path)
        assert response is not None and response.status < 400, (
            f"{path}: {response.status if response else '-'}"
        )
        results = axe.run(page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                found.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    assert not found, "\n".join(found)


def test_tap_targets_are_at_least_44_px_on_a_phone(new_page, live_server, world):
    found: list[str] = []
    pages: dict[str | None, object] = {}
    for who, path in _pages(world):
        page = pages.get(who) or pages.setdefault(who, _page_for(who, world, new_page, live_server, PHONE))
        page.goto(path)
        for small in page.evaluate(TAP_TARGETS_JS):
            found.append(f"{path}: {small}")
    assert not found, f"{len(found)} small targets:\n" + "\n".join(found)
