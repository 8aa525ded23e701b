"""A dataset is public only after a confidentiality review (保密审查) approved it: before, or after a
refusal, its page, downloads, API and catalogue entry do not exist. Only platform administrators review."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.opendata import services
from onewindow.opendata.dcat import dcat_graph
from onewindow.opendata.models import ConfidentialityReview, Dataset, DatasetKind, ReviewStatus

pytestmark = pytest.mark.django_db

BASIS = "依据《保守国家秘密法》和数据安全法第四十一条审查，不含国家秘密和个人信息。"


def dataset_of(department, kind=DatasetKind.NEGATIVE_LIST, slug="negative-list") -> Dataset:
    return services.dataset_create(
        actor=None,
        slug=slug,
        kind=kind,
        title="市场准入负面清单",
        description="禁止准入类和许可准入类事项。",
        publisher=department,
        keywords="负面清单，市场准入",
    )


def _public_answers(client, dataset: Dataset) -> list[int]:
    return [
        client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code,
        client.get(reverse("opendata:download_csv", args=[dataset.slug])).status_code,
        client.get(reverse("opendata:download_json", args=[dataset.slug])).status_code,
        client.get(f"/api/v1/opendata/datasets/{dataset.slug}").status_code,
    ]


def test_a_dataset_not_yet_reviewed_is_not_published(client, department_a):
    dataset = dataset_of(department_a)

    assert _public_answers(client, dataset) == [404, 404, 404, 404]
    assert dataset.title not in client.get(reverse("opendata:home")).content.decode()
    assert client.get("/api/v1/opendata/datasets").json() == []
    assert "negative-list" not in dcat_graph().serialize(format="turtle")


def test_an_approving_review_publishes_it_with_the_review_recorded(client, department_a, platform_admin):
    dataset = dataset_of(department_a)

    review = services.dataset_review_record(
        actor=platform_admin,
        dataset=dataset,
        decision="approved",
        basis=BASIS,
        reviewed_on=dt.date(2026, 9, 1),
    )

    assert _public_answers(client, dataset) == [200, 200, 200, 200]
    assert (review.reviewer, review.reviewed_on, review.basis) == (platform_admin, dt.date(2026, 9, 1), BASIS)
    assert AuditEntry.objects.filter(action="opendata.dataset_review").count() == 1
    listed = client.get("/api/v1/opendata/datasets").json()
    assert [d["slug"] for d in listed] == ["negative-list"] and listed[0]["reviewed_on"] == "2026-09-01"


def test_a_refusal_withdraws_a_published_dataset(client, department_a, platform_admin):
    dataset = dataset_of(department_a)
    services.dataset_review_record(actor=platform_admin, dataset=dataset, decision="approved", basis=BASIS)

    services.dataset_review_record(actor=platform_admin, dataset=dataset, decision="refused", basis=BASIS)

    dataset.refresh_from_db()
    assert dataset.review_status == ReviewStatus.REFUSED
    assert _public_answers(client, dataset) == [404, 404, 404, 404]


def test_only_platform_administrators_review(department_a, clerk_a):
    dataset = dataset_of(department_a)

    with pytest.raises(PermissionDenied):
        services.dataset_review_record(actor=clerk_a, dataset=dataset, decision="approved", basis=BASIS)

    assert not ConfidentialityReview.objects.exists()


def test_a_review_without_a_basis_is_refused_and_nothing_is_written(department_a, platform_admin):
    dataset = dataset_of(department_a)

    with pytest.raises(DomainError) as refused:
        services.dataset_review_record(
            actor=platform_admin, dataset=dataset, decision="approved", basis="同意"
        )

    assert refused.value.problems[0].field == "basis"
    assert not ConfidentialityReview.objects.exists()
    dataset.refresh_from_db()
    assert dataset.review_status == ReviewStatus.NOT_REVIEWED


def test_the_review_page_records_a_decision_and_refuses_other_staff(
    client_as, department_a, platform_admin, clerk_a
):
    dataset = dataset_of(department_a)
    url = reverse("opendata_staff:review", args=[dataset.slug])

    assert client_as(clerk_a).get(url).status_code == 403
    bad = client_as(platform_admin).post(
        url, {"decision": "approved", "reviewed_on": "2026-09-01", "basis": "短"}
    )
    assert bad.status_code == 200 and "审查依据" in bad.content.decode()
    good = client_as(platform_admin).post(
        url, {"decision": "approved", "reviewed_on": "2026-09-01", "basis": BASIS}
    )

    assert good.status_code == 302
    dataset.refresh_from_db()
    assert dataset.is_published()


def test_the_json_download_keeps_the_rows(client, department_a, platform_admin):
    from onewindow.catalogue.models import NegativeListEntry

    NegativeListEntry.objects.create(
        code="101",
        category="prohibited",
        title="禁止违规开展金融相关经营活动",
        measures="不得从事",
        legal_basis="《商业银行法》",
    )
    dataset = dataset_of(department_a)
    services.dataset_review_record(actor=platform_admin, dataset=dataset, decision="approved", basis=BASIS)

    body = json.loads(client.get(reverse("opendata:download_json", args=[dataset.slug])).content)
    csv_text = client.get(reverse("opendata:download_csv", args=[dataset.slug])).content.decode("utf-8-sig")

    assert body["rows"][0]["code"] == "101"
    assert "禁止违规开展金融相关经营活动" in csv_text
