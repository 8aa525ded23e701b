"""The published catalogue as CPSV-AP 3.2 (the EU Core Public Service Vocabulary Application Profile), in
Turtle or JSON-LD, conforming to the official SHACL shapes (/work/shared/standards/cpsv-ap-3.2.0).

Shapes are checked without inference, so every node carries its classes explicitly: a life event is typed
``cv:Event`` as well as ``cv:LifeEvent``, and every concept we point at is typed ``skos:Concept`` (the
official example fails on exactly that). Every node has an IRI (no blank nodes) so that the Turtle and the
JSON-LD serialisations hold the same triples. Time limits are in working days (工作日); ``cv:processingTime``
carries the promised limit as an ``xsd:duration`` of that many days, and the description says so in words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch
from django.urls import reverse
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from onewindow.catalogue import selectors
from onewindow.catalogue.exchange import codes
from onewindow.catalogue.models import Audience, Bundle, Item, ItemVersion, Material, Theme, VersionStatus
from onewindow.organisations.models import Department, Region

CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
TIME = Namespace("http://www.w3.org/2006/time#")
# EU authority tables (Publications Office): the language and currency of every text and fee.
CHINESE = URIRef("http://publications.europa.eu/resource/authority/language/ZHO")
YUAN = URIRef("http://publications.europa.eu/resource/authority/currency/CNY")
PREFIXES = {
    "cpsv": CPSV,
    "cv": CV,
    "dct": DCTERMS,
    "dcat": DCAT,
    "eli": ELI,
    "foaf": FOAF,
    "locn": LOCN,
    "skos": SKOS,
    "time": TIME,
    "xsd": XSD,
}
ZH = "zh"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
CACHE_SECONDS = 24 * 60 * 60

# The code lists our items point at, published as SKOS concept schemes under the platform's own IRIs.
SCHEMES = {
    "item-type": ("事项类型", codes.ITEM_TYPE),
    "exercise-level": ("行使层级", codes.LEVEL),
    "case-type": ("办件类型", codes.CASE_TYPE),
    "service-object": ("服务对象", codes.SERVICE_OBJECT),
    "handling-form": ("办理形式", codes.HANDLING_FORM),
    "online-depth": ("网上办理深度", codes.ONLINE_DEPTH),
    "result-type": ("办理结果类型", codes.RESULT_TYPE),
    "cross-region-scope": ("通办范围", codes.CROSS_REGION_SCOPE),
    "audience": ("服务领域", {"person": "自然人服务", "company": "法人服务"}),
    "material-form": ("材料形式", codes.MATERIAL_FORM),
    "participation-role": ("参与角色", {"joint": "联办机构"}),
    "theme": ("主题", {}),
}
LAW_TITLE = re.compile(r"《([^《》]{2,120})》")
AMOUNT = re.compile(r"\d+(?:\.\d+)?")


def _published_items() -> list[Item]:
    """Every published item with everything the export needs loaded in a fixed number of queries."""
    return list(
        selectors.items_published()
        .select_related("department__region")
        .prefetch_related(
            Prefetch("published_version__materials", queryset=Material.objects.order_by("order")),
            "published_version__themes",
            "published_version__joint_departments__region",
        )
        .order_by("implementation_code")
    )


class _Export:
    """Builds the graph; remembers which shared nodes (organisations, regions, concepts) exist already."""

    def __init__(self) -> None:
        self.base = settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/")
        self.graph = Graph()
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.seen: set[URIRef] = set()
        self.dataset = self.iri("catalogue")

    # --- helpers
    def iri(self, *parts: object) -> URIRef:
        return URIRef(f"{self.base}/id/" + "/".join(quote(str(part), safe="") for part in parts))

    def page(self, url_name: str, code: str) -> URIRef:
        """The citizen page of a thing doubles as its IRI, so the IRI leads a person to the guide."""
        return URIRef(self.base + reverse(url_name, args=[code]))

    def add(self, subject: URIRef, predicate: URIRef, value: object) -> None:
        if value is not None and value != "":
            self.graph.add((subject, predicate, value if isinstance(value, URIRef) else Literal(value)))

    def text(self, subject: URIRef, predicate: URIRef, value: str) -> None:
        if value and value.strip():
            self.graph.add((subject, predicate, Literal(value.strip(), lang=ZH)))

    def first_time(self, node: URIRef) -> bool:
        if node in self.seen:
            return False
        self.seen.add(node)
        return True

    def concept(self, scheme: str, value: object, label: str = "") -> URIRef:
        title, labels = SCHEMES[scheme]
        node = self.iri("code", scheme, value)
        if self.first_time(node):
            scheme_node = self.iri("code", scheme)
            if self.first_time(scheme_node):
                self.graph.add((scheme_node, RDF.type, SKOS.ConceptScheme))
                self.text(scheme_node, SKOS.prefLabel, title)
            self.graph.add((node, RDF.type, SKOS.Concept))
            self.graph.add((node, SKOS.inScheme, scheme_node))
            self.add(node, SKOS.notation, str(value))
            self.text(node, SKOS.prefLabel, label or labels.get(str(value), str(value)))
        return node

    def typed(self, node: URIRef, *classes: URIRef) -> bool:
        """Type a shared node once; True the first time (when its other triples should be added)."""
        if not self.first_time(node):
            return False
        for cls in classes:
            self.graph.add((node, RDF.type, cls))
        return True

    # --- shared nodes
    def region(self, region: Region) -> URIRef:
        node = self.iri("region", region.code)
        if self.typed(node, DCTERMS.Location):
            self.add(node, DCTERMS.identifier, region.code)
            self.text(node, LOCN.geographicName, region.name)
        return node

    def organisation(self, department: Department) -> URIRef:
        node = self.iri("organisation", department.credit_code)
        # Also a foaf:Agent, so it may take part in a cv:Participation (a joint body, 联办机构).
        if self.typed(node, CV.PublicOrganisation, FOAF.Agent):
            self.add(node, DCTERMS.identifier, department.credit_code)
            self.text(node, SKOS.prefLabel, department.name)
            self.text(node, DCTERMS.title, department.name)
            self.add(node, DCTERMS.spatial, self.region(department.region))
        return node

    def legal_resources(self, legal_basis: str, fallback: URIRef) -> list[URIRef]:
        """One eli:LegalResource per law named in 《…》, shared by every item citing it."""
        titles = list(dict.fromkeys(LAW_TITLE.findall(legal_basis)))
        if not titles:
            self.typed(fallback, ELI.LegalResource)
            self.text(fallback, DCTERMS.description, legal_basis)
            return [fallback]
        nodes = []
        for title in titles:
            node = self.iri("legal-resource", title)
            if self.typed(node, ELI.LegalResource):
                self.text(node, DCTERMS.title, f"《{title}》")
            nodes.append(node)
        return nodes

    def common(self) -> None:
        self.typed(CHINESE, DCTERMS.LinguisticSystem)
        self.typed(YUAN, SKOS.Concept)
        platform = self.iri("platform")
        self.typed(platform, FOAF.Agent)
        self.add(platform, DCTERMS.identifier, self.base)
        self.text(platform, DCTERMS.title, settings.ONEWINDOW_SITE_NAME)
        self.graph.add((self.dataset, RDF.type, DCAT.Dataset))
        self.text(self.dataset, DCTERMS.title, f"{settings.ONEWINDOW_SITE_NAME} 政务服务事项目录")
        self.text(
            self.dataset,
            DCTERMS.description,
            "已发布的政务服务事项（实施清单）及“一件事”主题。所有时限均按工作日计算（不含法定节假日），"
            "cv:processingTime 中的天数为承诺办结时限的工作日数。",
        )
        self.add(self.dataset, DCTERMS.publisher, platform)

    # --- one service
    def service(self, item: Item) -> URIRef:
        version: ItemVersion = item.published_version  # type: ignore[assignment]
        code = item.implementation_code
        node = self.page("catalogue:item", code)
        g = self.graph
        g.add((node, RDF.type, CPSV.PublicService))
        g.add((self.dataset, DCTERMS.hasPart, node))
        g.add((node, DCTERMS.isPartOf, self.dataset))
        self.add(node, DCTERMS.identifier, code)
        self.text(node, DCTERMS.title, version.name)
        self.text(node, DCTERMS.description, _description(version))
        g.add((node, CV.processingTime, Literal(f"P{version.promised_days}D", datatype=XSD.duration)))
        g.add((node, DCTERMS.language, CHINESE))
        self.add(node, DCTERMS.spatial, self.region(item.region))
        self.add(node, CV.hasCompetentAuthority, self.organisation(item.department))
        for keyword in version.keywords.split():
            self.text(node, DCAT.keyword, keyword)

        # Classifications, each a typed concept of one of our code lists.
        self.add(node, DCTERMS.type, self.concept("item-type", version.item_type))
        for theme in version.themes.all():
            self.add(node, CV.thematicArea, self.concept("theme", theme.code, theme.name))
            self.add(node, CV.sector, self.concept("audience", theme.audience))
        for value in version.service_objects:
            self.add(node, DCTERMS.audience, self.concept("service-object", value))
        self.add(node, CV.isClassifiedBy, self.concept("exercise-level", version.level))
        self.add(node, CV.isClassifiedBy, self.concept("case-type", version.case_type))
        self.add(node, CV.isClassifiedBy, self.concept("cross-region-scope", version.cross_region_scope))
        for value in version.online_depth:
            self.add(node, CV.isClassifiedBy, self.concept("online-depth", value))

        self._legal(node, code, version)
        self._inputs(node, code, version)
        self._channels(node, code, version)
        self._costs(node, code, version)
        self._contact(node, code, version)
        output = self.iri("item", code, "output")
        g.add((output, RDF.type, CV.Output))
        self.add(output, DCTERMS.identifier, f"{code}-output")
        self.text(output, DCTERMS.title, version.result_name)
        self.add(output, DCTERMS.type, self.concept("result-type", version.result_type))
        self.add(node, CPSV.produces, output)
        for department in version.joint_departments.all():
            participation = self.iri("item", code, "participation", department.credit_code)
            g.add((participation, RDF.type, CV.Participation))
            self.add(participation, DCTERMS.identifier, f"{code}-joint-{department.credit_code}")
            self.text(participation, DCTERMS.description, f"联办机构：{department.name}")
            self.add(participation, CV.role, self.concept("participation-role", "joint"))
            self.add(participation, CV.hasParticipant, self.organisation(department))
            self.add(node, CV.hasParticipation, participation)
        return node

    def _legal(self, node: URIRef, code: str, version: ItemVersion) -> None:
        laws = self.legal_resources(version.legal_basis, self.iri("item", code, "legal-basis-text"))
        rule = self.iri("item", code, "legal-basis")
        self.graph.add((rule, RDF.type, CPSV.Rule))
        self.add(rule, DCTERMS.identifier, f"{code}-legal-basis")
        self.text(rule, DCTERMS.title, "设定依据")
        self.text(rule, DCTERMS.description, version.legal_basis)
        self.add(rule, DCTERMS.language, CHINESE)
        for law in laws:
            self.add(rule, CPSV.implements, law)
            self.add(node, CV.hasLegalResource, law)
        self.add(node, CPSV.follows, rule)

    def _inputs(self, node: URIRef, code: str, version: ItemVersion) -> None:
        requirement = self.iri("item", code, "acceptance-conditions")
        self.graph.add((requirement, RDF.type, CV.Requirement))
        self.add(requirement, DCTERMS.identifier, f"{code}-conditions")
        self.text(requirement, DCTERMS.title, "受理条件")
        self.text(requirement, DCTERMS.description, version.acceptance_conditions)
        self.add(node, CV.holdsRequirement, requirement)
        for material in version.materials.all():
            evidence = self.iri("item", code, "material", material.key)
            self.graph.add((evidence, RDF.type, CV.Evidence))
            self.add(evidence, DCTERMS.identifier, f"{code}-{material.key}")
            self.text(evidence, DCTERMS.title, material.name)
            self.text(evidence, DCTERMS.description, _material_description(material))
            self.add(evidence, DCTERMS.type, self.concept("material-form", material.form))
            self.add(evidence, DCTERMS.language, CHINESE)
            # Materials with the same key are the same document across items: one shared evidence type.
            evidence_type = self.iri("evidence-type", material.key)
            if self.typed(evidence_type, CV.EvidenceType):
                self.add(evidence_type, DCTERMS.identifier, material.key)
            self.add(evidence, DCTERMS.conformsTo, evidence_type)
            self.add(evidence, CV.supportsRequirement, requirement)
            self.add(requirement, CV.hasSupportingEvidence, evidence)
            self.add(node, CPSV.hasInput, evidence)
            self.add(node, CV.hasInputType, evidence_type)

    def _channels(self, node: URIRef, code: str, version: ItemVersion) -> None:
        hours = self._opening_hours(code, version)
        for form in version.handling_forms:
            channel = self.iri("item", code, "channel", form)
            self.graph.add((channel, RDF.type, CV.Channel))
            self.add(channel, DCTERMS.identifier, f"{code}-channel-{form}")
            self.add(channel, DCTERMS.type, self.concept("handling-form", form))
            if form == "1":
                self.text(channel, DCTERMS.description, f"办理地点：{version.address}")
                self.add(channel, CV.openingHours, hours)
            self.add(node, CV.hasChannel, channel)

    def _costs(self, node: URIRef, code: str, version: ItemVersion) -> None:
        fees = version.fee_items if version.charges_fee else []
        if not fees:
            cost = self.iri("item", code, "cost", 0)
            self.graph.add((cost, RDF.type, CV.Cost))
            self.add(cost, DCTERMS.identifier, f"{code}-cost-0")
            self.text(cost, DCTERMS.description, "不收费")
            self.graph.add((cost, CV.hasValue, Literal(0.0, datatype=XSD.double)))
            self.add(cost, CV.currency, YUAN)
            self.add(node, CV.hasCost, cost)
            return
        for number, fee in enumerate(fees, start=1):
            cost = self.iri("item", code, "cost", number)
            self.graph.add((cost, RDF.type, CV.Cost))
            self.add(cost, DCTERMS.identifier, f"{code}-cost-{number}")
            self.text(cost, DCTERMS.description, _fee_description(fee, version.fee_basis))
            amount = AMOUNT.search(str(fee.get("standard", "")))
            if amount:
                self.graph.add((cost, CV.hasValue, Literal(float(amount.group()), datatype=XSD.double)))
            self.add(cost, CV.currency, YUAN)
            self.add(node, CV.hasCost, cost)

    def _opening_hours(self, code: str, version: ItemVersion) -> URIRef:
        hours = self.iri("item", code, "office-hours")
        self.graph.add((hours, RDF.type, TIME.TemporalEntity))
        self.text(hours, DCTERMS.description, version.office_hours)
        return hours

    def _contact(self, node: URIRef, code: str, version: ItemVersion) -> None:
        for kind, phone, label in (
            ("consultation", version.consultation_phone, "咨询电话"),
            ("complaint", version.complaint_phone, "监督投诉电话"),
        ):
            contact = self.iri("item", code, "contact", kind)
            self.graph.add((contact, RDF.type, CV.ContactPoint))
            self.add(contact, CV.telephone, phone)
            self.text(contact, DCTERMS.description, label)
            if kind == "consultation":
                self.add(contact, CV.openingHours, self.iri("item", code, "office-hours"))
            self.add(node, CV.contactPoint, contact)

    # --- life events
    def event(self, bundle: Bundle, services: dict[str, URIRef]) -> None:
        node = self.page("catalogue:bundle", bundle.code)
        kind = CV.BusinessEvent if bundle.audience == Audience.COMPANY else CV.LifeEvent
        # cv:Event too: the shapes are checked without inference, and cv:isGroupedBy wants a cv:Event.
        self.graph.add((node, RDF.type, CV.Event))
        self.graph.add((node, RDF.type, kind))
        self.add(node, DCTERMS.identifier, bundle.code)
        self.text(node, DCTERMS.title, bundle.name)
        self.text(node, DCTERMS.description, bundle.description)
        self.add(node, DCTERMS.type, self.concept("audience", bundle.audience))
        for entry in bundle.entries.all():
            service = services.get(entry.item.implementation_code)
            if service is not None:
                self.add(node, CV.hasRelatedService, service)
                self.add(service, CV.isGroupedBy, node)


def _days(days: int) -> str:
    return "当场办结" if days == 0 else f"{days}个工作日"


def _description(version: ItemVersion) -> str:
    parts = [
        f"法定办结时限：{_days(version.statutory_days)}"
        + (f"（{version.statutory_note}）" if version.statutory_note else "")
        + "；",
        f"承诺办结时限：{_days(version.promised_days)}"
        + (f"（{version.promised_note}）" if version.promised_note else "")
        + "。",
        "时限按工作日计算，不含法定节假日。",
    ]
    if version.process_description.strip():
        parts.insert(0, f"办理流程：{version.process_description.strip()}。")
    return "".join(parts)


def _material_description(material: Material) -> str:
    necessity = codes.NECESSITY.get(material.necessity, material.necessity)
    if material.condition:
        necessity = f"{necessity}（{material.condition}）"
    parts = [
        f"必要性：{necessity}",
        f"材料形式：{codes.MATERIAL_FORM.get(material.form, material.form)}",
        f"原件{material.originals}份，复印件{material.copies}份",
        f"来源渠道：{codes.MATERIAL_SOURCE.get(material.source, material.source)}",
    ]
    if material.acceptance_standard:
        parts.append(f"受理标准：{material.acceptance_standard}")
    return "；".join(parts) + "。"


def _fee_description(fee: dict[str, object], fee_basis: str) -> str:
    basis = str(fee.get("basis") or fee_basis or "").strip()
    text = f"{fee.get('name', '')}：{fee.get('standard', '')}"
    if basis:
        text += f"；收费依据：{basis}"
    return text + ("；可减免。" if fee.get("waivable") else "。")


def catalogue_graph(items: Iterable[Item] | None = None) -> Graph:
    """The published catalogue (or the given published items) and its published bundles as one RDF graph."""
    export = _Export()
    export.common()
    services = {
        item.implementation_code: export.service(item)
        for item in (_published_items() if items is None else items)
    }
    for bundle in selectors.bundles_published():
        export.event(bundle, services)
    return export.graph


def _fingerprint() -> str:
    """Changes whenever anything the export shows changes: a publication, a bundle, a department, a theme."""
    parts: list[object] = [settings.ONEWINDOW_PUBLIC_BASE_URL]
    for queryset, stamp in (
        (ItemVersion.objects.filter(status=VersionStatus.PUBLISHED), "published_at"),
        (Bundle.objects.all(), "updated_at"),
        (Department.objects.all(), "updated_at"),
        (Region.objects.all(), "updated_at"),
        (Theme.objects.all(), "updated_at"),
    ):
        parts.extend(queryset.aggregate(n=Count("pk"), last=Max(stamp)).values())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def catalogue_export(media_type: str) -> str:
    """The whole published catalogue serialised, cached until the catalogue changes: building it takes
    seconds for a real catalogue, and the endpoint is public."""
    key = f"catalogue:cpsv:{media_type}:{_fingerprint()}"
    text = cache.get(key)
    if text is None:
        text = catalogue_serialise(catalogue_graph(), media_type)
        cache.set(key, text, CACHE_SECONDS)
    return text


def catalogue_serialise(graph: Graph, media_type: str) -> str:
    """Turtle or JSON-LD text; JSON-LD gets a context with our prefixes so it stays readable."""
    if media_type == JSON_LD:
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, indent=1)
    return graph.serialize(format="turtle")
