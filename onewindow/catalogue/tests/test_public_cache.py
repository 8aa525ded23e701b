"""Public catalogue content served from the cache (issue #18): the home page's lists, a guide and search
results are read once, and publishing shows the new content at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.catalogue import search as catalogue_search
from onewindow.catalogue import services
from onewindow.catalogue.public_cache import public_generation, public_generation_bump
from onewindow.catalogue.tests.factories import published_item

pytestmark = pytest.mark.django_db


def _republish(item, **changes):
    draft = services.item_version_new_draft(actor=None, item=item, change_note="调整受理条件")
    services.item_version_update(actor=None, version=draft, **changes)
    services.item_version_submit(actor=None, version=draft)
    services.item_version_review(actor=None, version=draft, approve=True)


def test_publishing_starts_a_new_generation():
    before = public_generation()
    assert public_generation() == before
    public_generation_bump()
    assert public_generation() != before


def test_a_cached_guide_reads_less_and_a_new_version_is_shown_at_once(client, django_assert_max_num_queries):
    item = published_item(acceptance_conditions="材料齐全即可受理。")
    url = reverse("catalogue:item", args=[item.implementation_code])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert "材料齐全即可受理。" in client.get(url).content.decode()
    with django_assert_max_num_queries(len(first) - 1):
        assert "材料齐全即可受理。" in client.get(url).content.decode()
    _republish(item, acceptance_conditions="新版受理条件：现场核验原件。")
    page = client.get(url).content.decode()
    assert "新版受理条件：现场核验原件。" in page and "材料齐全即可受理。" not in page


def test_the_home_page_lists_come_from_the_cache_until_a_publication(client, django_assert_max_num_queries):
    published_item(name="餐饮服务许可证核发", popularity=50)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert "餐饮服务许可证核发" in client.get("/").content.decode()
    with django_assert_max_num_queries(len(first) - 3):
        assert "餐饮服务许可证核发" in client.get("/").content.decode()
    published_item(name="户外广告设施设置审批", popularity=60)
    assert "户外广告设施设置审批" in client.get("/").content.decode()


def test_search_results_are_cached_until_the_index_changes(monkeypatch):
    item = published_item(name="建筑工程施工许可证核发")
    first = catalogue_search.search_catalogue_cached("施工许可")
    assert [hit.ref for hit in first.hits] == [item.implementation_code]
    calls = []
    original = catalogue_search.search_catalogue
    monkeypatch.setattr(
        catalogue_search, "search_catalogue", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    assert catalogue_search.search_catalogue_cached("施工许可") == first and not calls
    other = published_item(name="市政设施建设类审批（施工许可）")
    again = catalogue_search.search_catalogue_cached("施工许可")
    assert calls and {hit.ref for hit in again.hits} == {item.implementation_code, other.implementation_code}


def test_the_lazy_guide_body_offers_everything_the_guide_context_holds():
    from onewindow.catalogue.views import GUIDE_BODY_KEYS, guide_context

    item = published_item()
    assert set(guide_context(item)) - {"item", "version"} <= set(GUIDE_BODY_KEYS)


def test_an_unknown_or_unpublished_guide_is_still_a_404(client):
    assert client.get(reverse("catalogue:item", args=["11350100M000000000000000000000X"])).status_code == 404


def test_a_repeated_search_page_reads_nothing_but_a_new_publication_shows(
    client, django_assert_max_num_queries
):
    published_item(name="建筑工程施工许可证核发")
    url = reverse("catalogue:search") + "?q=施工许可"
    assert "建筑工程施工许可证核发" in client.get(url).content.decode()
    with django_assert_max_num_queries(2):  # the session and nothing of the catalogue
        assert "建筑工程施工许可证核发" in client.get(url).content.decode()
    published_item(name="市政设施建设类审批（施工许可）")
    assert "市政设施建设类审批（施工许可）" in client.get(url).content.decode()
