"""The DCAT-AP 3.0 export of the data portal conforms to the official SHACL shapes (vendored unchanged in
docs/standards/dcat-ap-3.0.0), in Turtle and in JSON-LD, and describes only published datasets."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyshacl
import pytest
from django.urls import reverse
from rdflib import RDF, Graph
from rdflib.namespace import DCAT

from onewindow.opendata import services
from onewindow.opendata.dcat import dcat_graph
from onewindow.opendata.models import DatasetKind

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).resolve().parents[3] / "docs/standards/dcat-ap-3.0.0/dcat-ap-SHACL.ttl"
BASIS = "依据《保守国家秘密法》和数据安全法第四十一条审查，不含国家秘密和个人信息。"


def _conforms(graph: Graph) -> None:
    with warnings.catch_warnings():
        # rdflib warns about its own deprecated internals, which pySHACL still calls.
        warnings.simplefilter("ignore", DeprecationWarning)
        conforms, _, report = pyshacl.validate(
            graph, shacl_graph=str(SHAPES), inference="none", allow_warnings=False
        )
    assert conforms, report


@pytest.fixture
def published(department_a, platform_admin):
    for kind, slug in [
        (DatasetKind.CATALOGUE, "service-catalogue"),
        (DatasetKind.CASE_OUTCOMES, "case-outcomes"),
    ]:
        dataset = services.dataset_create(
            actor=None,
            slug=slug,
            kind=kind,
            title=f"数据集 {slug}",
            description="测试用的开放数据集。",
            publisher=department_a,
            keywords="政务服务、统计",
        )
        services.dataset_review_record(
            actor=platform_admin, dataset=dataset, decision="approved", basis=BASIS
        )
    services.dataset_create(
        actor=None,
        slug="waiting",
        kind=DatasetKind.INTERMEDIARY,
        title="待审查",
        description="未审查。",
        publisher=department_a,
    )


def test_the_shapes_are_the_official_release():
    import hashlib

    digest = hashlib.sha256(SHAPES.read_bytes()).hexdigest()
    assert digest == "05af11c73bce3270cd75f81d651af281109ff8179d320f2114a98d6280b3e45e"


def test_the_dcat_ap_export_conforms_to_the_official_shapes(published):
    graph = dcat_graph()

    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 2
    assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == 4
    _conforms(graph)


def test_the_turtle_and_json_ld_documents_hold_the_same_conforming_graph(client, published):
    turtle = Graph().parse(data=client.get(reverse("opendata:catalog_ttl")).content.decode(), format="turtle")
    json_ld = Graph().parse(
        data=client.get(reverse("opendata:catalog_jsonld")).content.decode(), format="json-ld"
    )

    assert turtle.isomorphic(json_ld)
    _conforms(json_ld)
    assert "waiting" not in turtle.serialize(format="turtle")
