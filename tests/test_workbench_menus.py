"""The workbench menus walked as each of the demo's staff roles (issue #15: "the menu shows only what a role may
open, and every refusal is a Chinese page in the site's layout").

For every role: each link of the main menu, of the home page's tiles and of the sub-menus on those pages opens
(200, or a redirect to a page that is 200); the main menu is the same on every page; and every workbench entry
page the role is not shown answers the Chinese 403 page in the workbench's layout, with its menu.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The demo's personas (onewindow/demo/data.py), one per kind of staff member.
PERSONAS = [
    "clerk",  # window clerk of 市审批局 and of the citizen centre's comprehensive window
    "helper",  # window clerk of a village service station: files for residents, has no items of its own
    "reviewer",
    "approver",
    "head",  # head of a department: the measures of their department
    "deptadmin",  # department administrator: catalogue, processes, webhooks, sharing approvals
    "supervisor",  # e-supervision
    "operator",  # 12345 hotline operator
    "admin",  # platform administrator (and Django superuser)
]

# Every page a workbench menu leads to, by URL name.
ENTRY_PAGES = [
    "workflow:inbox",
    "cases_staff:queue",
    "cases_staff:walk_in",
    "cases_staff:pledge_checks",
    "supervision:alerts",
    "supervision:orders",
    "supervision:cases",
    "supervision:tasks",
    "supervision:rules",
    "assist_staff:points",
    "hotline_staff:queue",
    "consult_staff:inbox",
    "halls_staff:centres",
    "queueing_staff:windows",
    "appointments_staff:bookings",
    "ratings_staff:list",
    "payments_staff:orders",
    "delivery_staff:shipments",
    "licence_staff:licence_list",
    "licence_staff:types",
    "licence_staff:keys",
    "analytics:dashboard",
    "sharing:resources",
    "sharing:approvals",
    "sharing:log",
    "catalogue_staff:item_list",
    "webhooks:home",
    "workflow_admin:process_list",
    "workbench:organisations_import",
    "workbench:calendar_import",
    "oidc:client_list",
    "opendata_staff:list",
    "secmon:dashboard",
    "identity_staff:lookup",
]

# Pages a role may open although its menu does not offer them, and why.
OPEN_OFF_MENU = {
    # Department staff answer the supervision orders addressed to their department: the menu links the list
    # (with its count) only while one awaits an answer; the orders' notices link it too.
    "*": {"supervision:orders"},
    # A supervisor watches cases and steps read-only from the e-supervision pages; the working lists stay
    # open (empty of work for them) but are not offered.
    "supervisor": {"workflow:inbox", "cases_staff:queue", "cases_staff:pledge_checks"},
}

HREF = re.compile(r'href="(/(?:workbench|admin)/[^"#]*)"')
MAIN_MENU = re.compile(r'<nav class="main-nav staff-nav".*?</nav>', re.S)
MAIN = re.compile(r"<main\b.*?</main>", re.S)
NAV = re.compile(r"<nav\b.*?</nav>", re.S)


def _links(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in HREF.findall(html)}


def _menu(html: str) -> set[str]:
    found = MAIN_MENU.search(html)
    assert found, "no workbench menu on the page"
    return _links(found.group(0))


def _main(html: str) -> str:
    found = MAIN.search(html)
    return found.group(0) if found else ""


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _open_every_link(client: Client) -> tuple[set[str], list[str]]:
    """Every link shown (main menu, home tiles, sub-menus of those pages) and what went wrong opening them."""
    home = client.get(reverse("workbench:home")).content.decode()
    menu = _menu(home)
    shown = menu | _links(_main(home))
    sub_links: set[str] = set()
    failures = []
    for link in sorted(shown):
        response = client.get(link, follow=True)
        if response.status_code != 200:
            failures.append(f"{link} → {response.status_code}")
            continue
        page = response.content.decode()
        if link.startswith("/workbench/") and _menu(page) != menu:
            failures.append(f"{link}: the menu differs from the home page's ({_menu(page) ^ menu})")
        for nav in NAV.findall(_main(page)):
            sub_links |= _links(nav)
    for link in sorted(sub_links - shown):
        response = client.get(link, follow=True)
        if response.status_code != 200:
            failures.append(f"sub-menu {link} → {response.status_code}")
    return shown | sub_links, failures


def _refusal_failures(client: Client, refused: list[str]) -> list[str]:
    failures = []
    for name in refused:
        response = client.get(reverse(name))
        page = response.content.decode()
        if response.status_code != 403:
            failures.append(f"{name} (not shown) → {response.status_code}")
        elif not (
            "无权访问" in page
            and 'class="site-header staff-header"' in page
            and 'class="main-nav staff-nav"' in page
            and 'class="site-footer"' in page
            and "Forbidden" not in page
        ):
            failures.append(f"{name}: not the Chinese 403 page in the workbench layout")
    return failures


@pytest.mark.parametrize("username", PERSONAS)
def test_a_role_opens_every_link_it_is_shown_and_gets_the_chinese_403_page_elsewhere(demo, username):
    client = _client_for(username)

    shown, failures = _open_every_link(client)

    shown_paths = {link.split("?")[0] for link in shown}
    may_open = OPEN_OFF_MENU["*"] | OPEN_OFF_MENU.get(username, set())
    refused = [name for name in ENTRY_PAGES if reverse(name) not in shown_paths and name not in may_open]
    failures += _refusal_failures(client, refused)
    assert not failures, f"{username}: {failures}"
