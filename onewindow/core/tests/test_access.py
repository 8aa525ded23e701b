"""The admin is for platform administrators only; the workbench for staff only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_citizen_gets_403_on_the_workbench(client_as, citizen):
    assert client_as(citizen).get("/workbench/").status_code == 403


def test_a_citizen_gets_403_deep_in_the_workbench(client_as, citizen):
    assert client_as(citizen).get("/workbench/tasks/").status_code == 403


def test_staff_open_the_workbench(client_as, clerk_a):
    assert client_as(clerk_a).get("/workbench/").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_from_the_workbench(client):
    response = client.get("/workbench/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_clerk_with_is_staff_is_refused_the_admin(client_as, clerk_a):
    # The admin sends a signed-in person without access to its sign-in page, which refuses them.
    assert client_as(clerk_a).get("/admin/", follow=True).status_code == 403


def test_a_platform_administrator_opens_the_admin(client_as, platform_admin):
    assert client_as(platform_admin).get("/admin/").status_code == 200
