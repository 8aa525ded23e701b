"""Whole public pages from the cache for anonymous visitors (issue #18, catalogue.public_pages): the page is
stored once, each visitor still gets a CSRF token of their own, the security headers stay, and anything that
makes a page personal (a session, a language, large text, htmx) is never answered from another's copy."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.catalogue.public_pages import csrf_secret_of
from onewindow.catalogue.tests.factories import published_item

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def _guide_url():
    item = published_item(name="食品经营许可证核发", popularity=10)
    return reverse("catalogue:item", args=[item.implementation_code])


def test_a_second_anonymous_visitor_is_answered_from_the_cache(django_assert_num_queries):
    url = _guide_url()
    first = Client().get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert "食品经营许可证核发" in second.content.decode()
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "Content-Language"):
        assert second[header] == first[header]


def test_each_visitor_gets_a_token_matching_their_own_csrf_cookie():
    url = _guide_url()
    Client().get(url)
    visitor = Client()
    page = visitor.get(url)
    tokens = set(TOKEN.findall(page.content.decode()))
    secret = page.cookies["csrftoken"].value
    assert tokens and all(csrf_secret_of(token) == secret for token in tokens)
    assert "~~~~" not in page.content.decode()
    # A visitor who already holds a cookie keeps it, and the page's token matches it.
    again = visitor.get(url)
    assert all(csrf_secret_of(t) == secret for t in TOKEN.findall(again.content.decode()))
    # The token works: the language switch on the cached page is accepted.
    switched = visitor.post(
        reverse("set_language"),
        {
            "language": "en",
            "next": url,
            "csrfmiddlewaretoken": next(iter(TOKEN.findall(again.content.decode()))),
        },
    )
    assert switched.status_code == 302


def test_the_csrf_check_still_refuses_a_post_without_a_token():
    url = _guide_url()
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    assert visitor.post(reverse("set_language"), {"language": "en", "next": url}).status_code == 403


def test_language_and_large_text_are_separate_pages():
    url = _guide_url()
    chinese = Client().get(url)
    english = Client()
    english.cookies["django_language"] = "en"
    page = english.get(url)
    assert page["Content-Language"] == "en" and page.content != chinese.content
    large = Client()
    large.cookies["ow_large_text"] = "1"
    assert 'class="large-text"' in large.get(url).content.decode()
    assert 'class="large-text"' not in Client().get(url).content.decode()


def test_signed_in_visitors_are_never_served_a_stored_page(client, django_user_model):
    url = _guide_url()
    Client().get(url)
    user = django_user_model.objects.create_user(username="citizen_cache", password="x-Strong-pass-1")
    client.force_login(user)
    page = client.get(url).content.decode()
    assert 'action="/accounts/logout/"' in page  # the signed-in header, not the stored anonymous page


def test_a_publication_shows_at_once():
    item = published_item(name="旧名称许可证核发")
    url = reverse("catalogue:item", args=[item.implementation_code])
    assert "旧名称许可证核发" in Client().get(url).content.decode()
    from onewindow.catalogue import services

    draft = services.item_version_new_draft(actor=None, item=item, change_note="更名")
    services.item_version_update(actor=None, version=draft, name="新名称许可证核发")
    services.item_version_submit(actor=None, version=draft)
    services.item_version_review(actor=None, version=draft, approve=True)
    page = Client().get(url).content.decode()
    assert "新名称许可证核发" in page and "旧名称许可证核发" not in page


def test_home_and_search_are_cached_too(django_assert_num_queries):
    published_item(name="建筑工程施工许可证核发", popularity=5)
    for url in ("/", reverse("catalogue:search") + "?q=施工许可"):
        Client().get(url)
        with django_assert_num_queries(0):
            assert Client().get(url).status_code == 200


def test_htmx_requests_and_other_pages_are_not_stored(django_assert_max_num_queries):
    url = _guide_url()
    Client().get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        Client().get(url, HTTP_HX_REQUEST="true")
    assert len(queries) > 0
