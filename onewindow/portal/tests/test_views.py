"""The citizen portal's pages: Chinese by default, English on request, large text, department search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.core.context_processors import LARGE_TEXT_COOKIE
from onewindow.core.middleware import CONTENT_SECURITY_POLICY
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_is_in_chinese_by_default(client):
    response = client.get(reverse("portal:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in page
    assert "一次申报，一码追踪" in page
    # The large-text switch leads into the elderly mode 长辈版 (which turns large text on).
    assert 'href="/elderly/">长辈版</a>' in page


def test_the_home_page_lists_departments_by_region(client, django_assert_max_num_queries):
    DepartmentFactory.create_batch(3)
    # Departments, plus the catalogue's popular items, life events and themes: one query each.
    with django_assert_max_num_queries(4):
        page = client.get(reverse("portal:home")).content.decode()
    assert page.count('class="region-heading"') == 1
    assert page.count('class="card"') == 3


def test_english_after_switching_language(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en"' in page
    assert "Apply once, track with one code" in page


def test_pages_carry_no_inline_script_or_style(client):
    response = client.get(reverse("portal:home"))
    page = response.content.decode()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_large_text_is_a_cookie_and_returns_to_the_page(client):
    response = client.post(reverse("portal:large_text"), {"on": "1", "next": "/search?q=x"})
    assert response.status_code == 302 and response["Location"] == "/search?q=x"
    assert response.cookies[LARGE_TEXT_COOKIE].value == "1"
    assert 'class="large-text"' in client.get(reverse("portal:home")).content.decode()


def test_large_text_refuses_to_redirect_elsewhere(client):
    response = client.post(reverse("portal:large_text"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_search_finds_departments_by_name(client):
    DepartmentFactory(name="福州市市场监督管理局")
    DepartmentFactory(name="福州市公安局")
    response = client.get(reverse("portal:search"), {"q": "市场监督"})
    assert [d.name for d in response.context["departments"]] == ["福州市市场监督管理局"]
    assert "与“市场监督”相符的部门共 1 个" in response.content.decode()


def test_search_without_a_match_says_so(client):
    page = client.get(reverse("portal:search"), {"q": "不存在的部门"}).content.decode()
    assert "没有找到相符的结果" in page


def test_an_empty_search_shows_the_form_only(client):
    response = client.get(reverse("portal:search"))
    assert response.status_code == 200
    assert response.context["departments"] == []


def test_a_wrong_password_gets_a_chinese_message_and_no_session(client, db):
    from tests.factories import UserFactory

    UserFactory(username="clerk", is_staff=True)
    response = client.post(reverse("identity:login"), {"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
