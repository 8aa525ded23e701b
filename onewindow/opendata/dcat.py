"""The data portal's metadata as DCAT-AP 3.0 (Turtle or JSON-LD), conforming to the official SHACL shapes
vendored in ``docs/standards/dcat-ap-3.0.0``.

Only published datasets (approved by a confidentiality review) are described. Every node has an IRI, so the
Turtle and JSON-LD documents hold the same triples; every node carries its class explicitly, because the
shapes are checked without inference. Formats, media types, frequencies and the licence point at the EU
Publications Office authority tables and IANA, as DCAT-AP recommends.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from onewindow.catalogue.exchange.cpsv import JSON_LD, TURTLE, catalogue_serialise
from onewindow.opendata.models import Dataset
from onewindow.opendata.selectors import datasets_published

ZH = "zh"
AUTHORITY = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {"csv": "CSV", "json": "JSON"}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
FREQUENCY = AUTHORITY + "frequency/"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CHINESE = URIRef(AUTHORITY + "language/ZHO")
__all__ = ["JSON_LD", "TURTLE", "catalogue_dcat_export", "dcat_graph"]


def _base() -> str:
    return settings.ONEWINDOW_PUBLIC_BASE_URL


def _url(name: str, *args: str) -> URIRef:
    return URIRef(_base() + reverse(name, args=args))


def _text(graph: Graph, node: URIRef, predicate: URIRef, value: str) -> None:
    graph.add((node, predicate, Literal(value, lang=ZH)))


def _publisher(graph: Graph, dataset: Dataset) -> URIRef:
    department = dataset.publisher
    node = URIRef(f"{_base()}/id/organisation/{quote(department.credit_code)}")
    graph.add((node, RDF.type, FOAF.Agent))
    _text(graph, node, FOAF.name, department.name)
    graph.add((node, DCTERMS.identifier, Literal(department.credit_code)))
    return node


def _dataset(graph: Graph, dataset: Dataset) -> URIRef:
    node = URIRef(f"{_base()}/id/dataset/{quote(dataset.slug)}")
    graph.add((node, RDF.type, DCAT.Dataset))
    _text(graph, node, DCTERMS.title, dataset.title)
    _text(graph, node, DCTERMS.description, dataset.description)
    graph.add((node, DCTERMS.identifier, Literal(dataset.slug)))
    graph.add((node, DCTERMS.publisher, _publisher(graph, dataset)))
    graph.add((node, DCTERMS.language, CHINESE))
    graph.add((CHINESE, RDF.type, DCTERMS.LinguisticSystem))
    frequency = URIRef(FREQUENCY + dataset.update_frequency)
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    page = _url("opendata:dataset", dataset.slug)
    graph.add((page, RDF.type, FOAF.Document))
    graph.add((node, DCAT.landingPage, page))
    if dataset.published_at is not None:
        graph.add(
            (node, DCTERMS.issued, Literal(timezone.localdate(dataset.published_at), datatype=XSD.date))
        )
    graph.add((node, DCTERMS.modified, Literal(timezone.localdate(dataset.updated_at), datatype=XSD.date)))
    for keyword in dataset.keywords.replace("，", ",").replace("、", ",").split(","):
        if keyword.strip():
            _text(graph, node, DCAT.keyword, keyword.strip())
    graph.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    for extension, file_type in FILE_TYPES.items():
        download = _url(f"opendata:download_{extension}", dataset.slug)
        distribution = URIRef(f"{node}/{extension}")
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((node, DCAT.distribution, distribution))
        # The shapes are checked without inference: a download address is typed as the resource it is.
        graph.add((download, RDF.type, RDFS.Resource))
        graph.add((distribution, DCAT.accessURL, download))
        graph.add((distribution, DCAT.downloadURL, download))
        _text(graph, distribution, DCTERMS.title, f"{dataset.title}（{file_type}）")
        file_format = URIRef(AUTHORITY + "file-type/" + file_type)
        graph.add((file_format, RDF.type, DCTERMS.MediaTypeOrExtent))
        graph.add((distribution, DCTERMS.format, file_format))
        media = URIRef("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[extension])
        graph.add((media, RDF.type, DCTERMS.MediaType))
        graph.add((distribution, DCAT.mediaType, media))
        graph.add((distribution, DCTERMS.license, LICENCE))
    return node


def dcat_graph() -> Graph:
    """The catalogue of published datasets as a DCAT-AP 3.0 graph."""
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF)):
        graph.bind(prefix, namespace)
    catalog = _url("opendata:catalog_ttl")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _text(graph, catalog, DCTERMS.title, f"{settings.ONEWINDOW_SITE_NAME} 政务数据开放目录")
    _text(
        graph,
        catalog,
        DCTERMS.description,
        "经保密审查后依法有序开放的政务服务数据：事项目录、清单、月度统计和匿名化的办件汇总；统计表中小于阈值的数值已抑制。",
    )
    platform = URIRef(f"{_base()}/id/platform")
    graph.add((platform, RDF.type, FOAF.Agent))
    _text(graph, platform, FOAF.name, settings.ONEWINDOW_SITE_NAME)
    graph.add((catalog, DCTERMS.publisher, platform))
    homepage = _url("opendata:home")
    graph.add((homepage, RDF.type, FOAF.Document))
    graph.add((catalog, FOAF.homepage, homepage))
    graph.add((catalog, DCTERMS.language, CHINESE))
    graph.add((CHINESE, RDF.type, DCTERMS.LinguisticSystem))
    graph.add((catalog, DCTERMS.license, LICENCE))
    graph.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    for dataset in datasets_published():
        graph.add((catalog, DCAT.dataset, _dataset(graph, dataset)))
    return graph


def catalogue_dcat_export(media_type: str) -> str:
    return catalogue_serialise(dcat_graph(), media_type)
