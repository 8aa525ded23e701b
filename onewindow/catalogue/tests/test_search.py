"""Catalogue search: words, synonyms, typos, what is (not) found, and the citizen phrasing set."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onewindow.catalogue import search, services
from onewindow.catalogue.models import Audience
from onewindow.catalogue.search import (
    search_catalogue,
    search_index_rebuild,
    search_items,
    search_suggest,
    search_synonyms,
    search_words,
)
from onewindow.catalogue.tests.factories import guide, next_basic_code, published_item
from onewindow.catalogue.tests.search_phrasings import PHRASINGS
from tests.factories import DepartmentFactory


@pytest.fixture(autouse=True)
def vocabulary_forgotten():
    """The typo vocabulary is cached per process; a rolled-back test must not leave its words behind."""
    search._vocabulary_forget()
    yield
    search._vocabulary_forget()


def _titles(hits) -> list[str]:
    return [hit.title for hit in hits]


# --- words --------------------------------------------------------------------------------------------


def test_user_dictionary_keeps_catalogue_words_whole():
    assert "食品经营许可" in search_words("我要办食品经营许可")
    assert "社会保障卡" in search_words("社会保障卡补领")
    assert "一件事" in search_words("新生儿出生一件事")


def test_search_mode_also_yields_the_words_inside_a_long_word():
    words = search_words("住房公积金提取")
    assert {"住房公积金", "公积金", "提取"} <= set(words)


def test_synonyms_widen_both_ways():
    assert "社会保障卡" in search_synonyms("社保卡补领")
    assert "社保卡" in search_synonyms("社会保障卡补领")


def test_colloquial_words_find_the_official_item_one_way():
    assert "开饭店" in search_synonyms("食品经营许可")
    assert "食品经营许可" not in search_synonyms("开饭店的经验")


def test_synonyms_chain():
    # 补证 = 补领, and a document about 补领 is found by "丢了".
    assert {"补领", "丢了"} <= set(search_synonyms("机动车驾驶证补证"))


# --- a small catalogue --------------------------------------------------------------------------------


@pytest.fixture
def small_catalogue(db):
    police = DepartmentFactory(name="福州市公安局", short_name="市公安局")
    hrss = DepartmentFactory(name="福州市人力资源和社会保障局", short_name="市人社局")
    market = DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    return {
        "sscard": published_item(
            department=hrss,
            name="社会保障卡补领/换领",
            keywords="社保卡 补卡 换卡 挂失",
            result_name="社会保障卡",
            popularity=500,
        ),
        "idcard": published_item(
            department=police, name="居民身份证补领", keywords="身份证 遗落", result_name="居民身份证"
        ),
        "licence": published_item(
            department=police, name="机动车驾驶证补证", keywords="驾驶证 遗失", result_name="机动车驾驶证"
        ),
        "food": published_item(
            department=market, name="食品经营许可", keywords="餐饮 食品", result_name="食品经营许可证"
        ),
        "company": published_item(
            department=market, name="企业设立登记", keywords="开公司", result_name="营业执照", popularity=50
        ),
    }


def test_synonym_finds_the_item_written_with_the_other_word(small_catalogue):
    assert _titles(search_items(query="社会保障卡"))[0] == "社会保障卡补领/换领"
    assert _titles(search_items(query="社保卡"))[0] == "社会保障卡补领/换领"
    assert _titles(search_items(query="驾照丢了"))[0] == "机动车驾驶证补证"


def test_colloquial_question_finds_the_permit(small_catalogue):
    hits = search_items(query="我想开个饭店")
    assert hits[0].title == "食品经营许可"
    assert hits[0].kind == "item" and hits[0].ref == small_catalogue["food"].implementation_code


def test_two_character_words_are_found(small_catalogue):
    published_item(name="普通护照签发", keywords="出国", result_name="普通护照")
    assert _titles(search_items(query="护照"))[0] == "普通护照签发"


def test_typo_is_suggested_and_searched(small_catalogue):
    assert search_suggest("社报卡")[0] == "社保卡"
    assert search_suggest("驾失证")[0] == "驾驶证"
    result = search_catalogue("社报卡丢了怎么补办", 10)
    assert result.corrected_query == "社保卡丢了怎么补办"
    assert result.hits[0].title == "社会保障卡补领/换领"


def test_correct_words_are_not_corrected(small_catalogue):
    result = search_catalogue("我想开个饭店", 10)
    assert result.corrected_query is None


def test_nothing_found_offers_suggestions(small_catalogue):
    result = search_catalogue("企业设立登计", 10)
    assert result.hits and result.hits[0].title == "企业设立登记"
    assert result.corrected_query is not None
    assert search_catalogue("完全无关的问题", 10).hits == []


def test_popularity_breaks_ties_between_equally_relevant_items(small_catalogue, db):
    market = small_catalogue["food"].department
    quiet = published_item(department=market, name="营业执照遗失补领", keywords="补照")
    busy = published_item(department=market, name="营业执照遗失补发", keywords="补照", popularity=5000)
    refs = [hit.ref for hit in search_items(query="补照")]
    assert refs.index(busy.implementation_code) < refs.index(quiet.implementation_code)


def test_unpublished_item_is_not_found(small_catalogue):
    department = small_catalogue["food"].department
    basic = services.basic_item_ensure(
        actor=None, basic_code=next_basic_code(), name="酒类商品零售许可", item_type="01"
    )
    draft = services.item_create(
        actor=None,
        basic=basic,
        department=department,
        region=department.region,
        **guide(name="酒类商品零售许可", keywords="卖酒"),
    )
    services.item_version_submit(actor=None, version=draft)
    refs = [hit.ref for hit in search_items(query="酒类商品零售许可")]
    assert draft.item.implementation_code not in refs
    assert search_items(query="卖酒") == []


def test_new_published_version_replaces_the_old_name(small_catalogue):
    item = small_catalogue["idcard"]
    draft = services.item_version_new_draft(actor=None, item=item)
    services.item_version_update(actor=None, version=draft, name="居民身份证遗失补办", keywords="证件")
    services.item_version_submit(actor=None, version=draft, change_note="改名")
    services.item_version_review(actor=None, version=draft, approve=True)
    hits = search_items(query="居民身份证")
    assert [hit.title for hit in hits if hit.ref == item.implementation_code] == ["居民身份证遗失补办"]
    assert item.implementation_code not in [hit.ref for hit in search_items(query="遗落")]


def test_superseded_version_words_are_gone(small_catalogue):
    item = small_catalogue["licence"]
    draft = services.item_version_new_draft(actor=None, item=item)
    services.item_version_update(actor=None, version=draft, name="机动车驾驶证遗失补领", keywords="")
    services.item_version_submit(actor=None, version=draft, change_note="改名")
    services.item_version_review(actor=None, version=draft, approve=True)
    assert "机动车驾驶证补证" not in _titles(search_items(query="补证"))


def test_bundles_are_found_and_lead_for_life_events(small_catalogue):
    services.bundle_save(
        actor=None,
        code="open-restaurant",
        name="开办餐饮店",
        audience=Audience.COMPANY,
        description="营业执照和食品经营许可一次申请。",
        items=[(small_catalogue["company"], 1, False), (small_catalogue["food"], 2, False)],
        keywords="开饭店 餐饮店",
    )
    hits = search_items(query="开办餐饮店")
    assert (hits[0].kind, hits[0].ref) == ("bundle", "open-restaurant")
    assert ("bundle", "open-restaurant") in [
        (hit.kind, hit.ref) for hit in search_items(query="我想开个饭店")[:3]
    ]


def test_rebuild_indexes_the_whole_published_catalogue(small_catalogue):
    with search.connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_search")
    assert search_items(query="社保卡") == []
    assert search_index_rebuild() == 5
    assert _titles(search_items(query="社保卡"))[0] == "社会保障卡补领/换领"
    call_command("catalogue_search_rebuild", verbosity=0)
    assert len(search_items(query="社保卡")) == 1


# --- the phrasing set ---------------------------------------------------------------------------------


def test_citizen_phrasings_find_the_wanted_item_in_the_top_three(demo, db):
    misses = []
    for phrasing, wanted in PHRASINGS:
        top = search_catalogue(phrasing, 3).hits
        if not any(hit.title in wanted or hit.ref in wanted for hit in top):
            misses.append((phrasing, wanted, _titles(top)))
    hit_rate = 1 - len(misses) / len(PHRASINGS)
    assert len(PHRASINGS) >= 40
    print(f"search phrasings: {len(PHRASINGS)}, top-3 hit rate {hit_rate:.1%}, misses {misses}")
    assert hit_rate >= 0.9, f"hit rate {hit_rate:.0%}; misses: {misses}"
