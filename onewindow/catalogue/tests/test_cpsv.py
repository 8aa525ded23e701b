"""The CPSV-AP 3.2 export: it conforms to the official SHACL shapes, says its limits are working days, and
the Turtle and JSON-LD documents hold the same graph."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyshacl
import pytest
from django.urls import reverse
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from onewindow.catalogue import services
from onewindow.catalogue.exchange.cpsv import CPSV, CV, catalogue_graph
from onewindow.catalogue.models import (
    Audience,
    CaseType,
    HandlingForm,
    Item,
    ItemType,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    ServiceObject,
)
from onewindow.catalogue.tests.factories import ThemeFactory, material, published_item
from onewindow.organisations.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

SHAPES = Path("/work/shared/standards/cpsv-ap-3.2.0/cpsv-ap-SHACL.ttl")


def realistic_catalogue(department: Department | None = None) -> list[Item]:
    """Three published items of two departments with fees, FAQ, themes, a joint body, conditional and
    e-licence materials, a form schema, and a life-event bundle over two of them."""
    market = department or DepartmentFactory(name="福州市市场监督管理局")
    police = DepartmentFactory(name="福州市公安局")
    hrss = DepartmentFactory(name="福州市人力资源和社会保障局")
    company = ThemeFactory(code="start-business", name="设立变更", audience=Audience.COMPANY)
    person = ThemeFactory(code="id-documents", name="证件办理", audience=Audience.PERSON)
    food = published_item(
        department=market,
        name="食品经营许可",
        legal_basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第六条",
        keywords="开饭店 餐饮 食品经营",
        statutory_days=20,
        statutory_note="不含现场核查时间",
        promised_days=10,
        promised_note="材料齐全之日起计算",
        themes=[company],
        joint_departments=[police],
        faq=[{"q": "开奶茶店要办食品经营许可吗？", "a": "需要，现制饮品属于餐饮服务。"}],
        service_objects=[ServiceObject.ENTERPRISE, ServiceObject.OTHER],
        cross_region_scope="city",
        result_name="食品经营许可证",
        result_type=ResultType.CERTIFICATE,
        licence_type_code="11100000000013338W035",
        materials=[
            material("application-form", name="食品经营许可申请书", acceptance_standard="加盖公章"),
            material(
                "business-licence",
                name="营业执照",
                source=MaterialSource.ELICENCE,
                licence_type_code="11100000000013338W011",
                originals=0,
                copies=0,
            ),
            material(
                "lease",
                name="经营场所使用证明",
                necessity=Necessity.CONDITIONAL,
                condition="场所为租赁的",
                copies=1,
                paper_size="A4",
                filling_notes="提供租赁合同复印件",
                pledge_allowed=True,
                pledge_text="本单位承诺对经营场所享有合法使用权，如有不实，愿意承担相应法律责任。",
            ),
        ],
        popularity=900,
    )
    id_card = published_item(
        department=police,
        name="居民身份证换领",
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国居民身份证法》第十一条",
        statutory_days=60,
        promised_days=20,
        charges_fee=True,
        fee_items=[
            {
                "name": "居民身份证工本费",
                "standard": "20元/证",
                "basis": "发改价格〔2003〕2322号",
                "waivable": True,
            }
        ],
        fee_basis="《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
        supports_online_payment=True,
        supports_booking=True,
        handling_forms=[HandlingForm.WINDOW],
        online_depth=[OnlineDepth.CONSULTATION],
        onsite_visits=1,
        onsite_reason="需现场采集人像和指纹",
        themes=[person],
        result_name="居民身份证",
        result_type=ResultType.CERTIFICATE,
        min_assurance_level=3,
        materials=[
            material("id-card", name="原居民身份证"),
            material("household-register", name="居民户口簿"),
        ],
    )
    unemployment = published_item(
        department=hrss,
        name="失业保险金申领",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="国务院《失业保险条例》第十四条",
        statutory_days=0,
        promised_days=0,
        case_type=CaseType.IMMEDIATE,
        supports_postal_delivery=True,
        supports_kiosk=True,
        result_name="失业保险金核定结果",
    )
    services.bundle_save(
        actor=None,
        code="open-restaurant",
        name="开办餐饮店",
        audience=Audience.COMPANY,
        description="营业执照、食品经营许可等一次申请、并联办理。",
        items=[(food, 1, False), (id_card, 2, True)],
        keywords="开饭店 开餐馆",
    )
    return [food, id_card, unemployment]


def _conforms(graph: Graph) -> None:
    with warnings.catch_warnings():
        # rdflib warns about its own deprecated internals, which pySHACL still calls (thousands of times).
        warnings.simplefilter("ignore", DeprecationWarning)
        conforms, _, report = pyshacl.validate(
            graph, shacl_graph=str(SHAPES), inference="none", allow_warnings=False
        )
    assert conforms, report


def test_the_export_of_a_realistic_catalogue_conforms_to_the_official_shapes():
    realistic_catalogue()

    graph = catalogue_graph()

    assert len(set(graph.subjects(RDF.type, CPSV.PublicService))) == 3
    _conforms(graph)


def test_processing_time_is_the_promised_limit_in_working_days_said_in_words(settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn"
    food, _, unemployment = realistic_catalogue()

    graph = catalogue_graph()

    service = URIRef(
        "https://zwfw.example.gov.cn" + reverse("catalogue:item", args=[food.implementation_code])
    )
    duration = graph.value(service, CV.processingTime)
    assert (str(duration), str(duration.datatype)) == ("P10D", "http://www.w3.org/2001/XMLSchema#duration")
    description = str(graph.value(service, DCTERMS.description))
    assert "法定办结时限：20个工作日" in description
    assert "承诺办结时限：10个工作日" in description
    assert "时限按工作日计算" in description
    immediate = URIRef(
        "https://zwfw.example.gov.cn" + reverse("catalogue:item", args=[unemployment.implementation_code])
    )
    assert str(graph.value(immediate, CV.processingTime)) == "P0D"
    assert "当场办结" in str(graph.value(immediate, DCTERMS.description))


def test_the_service_links_its_authority_inputs_fees_law_output_and_life_event():
    food, id_card, _ = realistic_catalogue()

    graph = catalogue_graph()

    base = "http://127.0.0.1:8000"
    service = URIRef(base + reverse("catalogue:item", args=[food.implementation_code]))
    authority = graph.value(service, CV.hasCompetentAuthority)
    assert graph.value(authority, SKOS.prefLabel) == Literal("福州市市场监督管理局", lang="zh")
    assert (graph.value(authority, DCTERMS.spatial), RDF.type, DCTERMS.Location) in graph
    assert len(list(graph.objects(service, CPSV.hasInput))) == 3
    laws = {str(graph.value(law, DCTERMS.title)) for law in graph.objects(service, CV.hasLegalResource)}
    assert laws == {"《中华人民共和国食品安全法》", "《食品经营许可和备案管理办法》"}
    assert str(graph.value(graph.value(service, CPSV.produces), DCTERMS.title)) == "食品经营许可证"
    assert Literal("开饭店", lang="zh") in set(
        graph.objects(service, URIRef("http://www.w3.org/ns/dcat#keyword"))
    )
    event = graph.value(service, CV.isGroupedBy)
    assert (event, RDF.type, CV.BusinessEvent) in graph
    assert (event, CV.hasRelatedService, service) in graph
    fee = graph.value(
        URIRef(base + reverse("catalogue:item", args=[id_card.implementation_code])), CV.hasCost
    )
    assert float(graph.value(fee, CV.hasValue)) == 20.0
    assert "可减免" in str(graph.value(fee, DCTERMS.description))


def test_every_referenced_concept_is_typed():
    realistic_catalogue()

    graph = catalogue_graph()

    for predicate in (DCTERMS.type, CV.thematicArea, CV.sector, DCTERMS.audience, CV.isClassifiedBy):
        for concept in graph.objects(None, predicate):
            assert (concept, RDF.type, SKOS.Concept) in graph, (predicate, concept)


def test_turtle_and_json_ld_endpoints_serve_the_same_graph(client):
    realistic_catalogue()

    turtle = client.get("/api/v1/catalog/cpsv-ap.ttl")
    jsonld = client.get("/api/v1/catalog/cpsv-ap.jsonld")

    assert turtle.status_code == jsonld.status_code == 200
    assert turtle["Content-Type"].startswith("text/turtle")
    assert jsonld["Content-Type"].startswith("application/ld+json")
    from_turtle = Graph().parse(data=turtle.content.decode(), format="turtle")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from_jsonld = Graph().parse(data=jsonld.content.decode(), format="json-ld")
    assert len(from_turtle) == len(from_jsonld) == len(catalogue_graph())
    assert from_turtle.isomorphic(from_jsonld)
    _conforms(from_jsonld)


def test_drafts_are_not_exported():
    food, *_ = realistic_catalogue()
    draft = services.item_version_new_draft(actor=None, item=food, change_note="调整名称")
    services.item_version_update(actor=None, version=draft, name="食品经营许可（草稿）")

    graph = catalogue_graph()

    assert len(set(graph.subjects(RDF.type, CPSV.PublicService))) == 3
    titles = {str(title) for title in graph.objects(None, DCTERMS.title)}
    assert "食品经营许可" in titles
    assert "食品经营许可（草稿）" not in titles


def test_the_cached_export_follows_a_new_publication(client):
    realistic_catalogue()
    first = client.get("/api/v1/catalog/cpsv-ap.ttl").content.decode()

    published_item(name="护照签发", legal_basis="《中华人民共和国护照法》第五条")
    second = client.get("/api/v1/catalog/cpsv-ap.ttl").content.decode()

    assert "护照签发" not in first
    assert "护照签发" in second
