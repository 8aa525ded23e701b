"""The life event's pages (issue #12): the guide shows what is filled in once, the application page's one
form and one upload per material, the one query password reissued on the life event's page, the material
generated from the form never asked as an upload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.tests.factories import FORM, case_item, case_materials_attach, material_of, upload
from onewindow.catalogue.tests.factories import BundleFactory, material
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(item, department_b):
    second = case_item(department=department_b, name="公共场所卫生许可")
    return BundleFactory(name="开办餐饮店一件事", items=[item, second])


@pytest.fixture
def parent(citizen, bundle):
    return services.bundle_case_start(user=citizen, bundle=bundle)


def test_the_guide_lists_the_fields_asked_once_and_the_items_they_go_to(client, bundle):
    page = client.get(reverse("catalogue:bundle", args=[bundle.code])).content.decode()

    assert 'id="bundle-fields-title"' in page and "申请人姓名" in page and "公共场所卫生许可" in page


def test_the_application_page_asks_a_shared_field_once(citizen, client_as, parent):
    page = client_as(citizen).get(reverse("cases:case", args=[parent.pk])).content.decode()

    assert page.count('name="shared.applicant_name"') == 1
    assert 'value="张三"' in page  # prefilled from the profile


def test_saving_the_one_form_fills_every_draft(citizen, client_as, parent):
    response = client_as(citizen).post(
        reverse("cases:bundle_submit", args=[parent.pk]),
        {"action": "save", "shared.applicant_name": "张三丰"},
    )

    assert response.status_code == 302
    assert {c.form_data["applicant_name"] for c in parent.children.all()} == {"张三丰"}


def test_one_upload_without_a_file_is_refused_and_writes_nothing(citizen, client_as, parent):
    response = client_as(citizen).post(
        reverse("cases:bundle_material", args=[parent.pk]), {"material": "id-card"}
    )

    assert response.status_code == 400
    assert not CaseMaterial.objects.exists()


def test_one_upload_for_a_material_no_item_asks_for_is_refused(citizen, parent):
    with pytest.raises(DomainError) as refused:
        services.bundle_material_attach(case=parent, user=citizen, key="no-such", upload=upload())

    assert refused.value.code == "material_not_in_guide"
    assert not CaseMaterial.objects.exists()


def test_another_citizen_cannot_upload_into_the_life_event(another_citizen, client_as, parent):
    response = client_as(another_citizen).post(
        reverse("cases:bundle_material", args=[parent.pk]), {"material": "id-card", "file": upload()}
    )

    assert response.status_code == 404
    assert not CaseMaterial.objects.exists()


def test_the_life_events_password_is_reissued_on_its_page_and_never_for_an_item(
    at, citizen, client_as, parent, clerk_a
):
    for child in parent.children.all():
        services.case_form_save(case=child, user=citizen, form_data=FORM)
        case_materials_attach(child, citizen)
    services.bundle_case_submit(case=parent, actor=citizen)
    first = parent.children.get(item__department=clerk_a.memberships.first().department)
    accepted = services.case_accept(case=first, clerk=clerk_a).case

    response = client_as(citizen).post(reverse("cases:password_reissue", args=[parent.pk]))

    parent.refresh_from_db()
    assert response.status_code == 200 and parent.number in response.content.decode()
    with pytest.raises(DomainError) as refused:
        services.case_password_reissue(case=accepted, user=citizen)
    assert refused.value.code == "bundle_password_required"


def test_a_material_generated_online_is_not_asked_and_its_upload_is_refused(
    at, citizen, client_as, department_a
):
    item = case_item(department=department_a, materials=[material("application-form", generated_online=True)])
    case = services.case_start(user=citizen, item=item)

    assert services.submission_problems(case) == []
    preview = client_as(citizen).get(reverse("cases:form_pdf", args=[case.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    response = client_as(citizen).post(
        reverse("cases:material_upload", args=[case.pk]), {"material": "application-form", "file": upload()}
    )
    assert response.status_code == 400
    assert not CaseMaterial.objects.exists()

    submitted = services.case_submit(case=case, actor=citizen)

    row = submitted.materials.get(material=material_of(item, "application-form"))
    assert row.content_type == "application/pdf" and submitted.status == CaseStatus.SUBMITTED
    assert Case.objects.count() == 1


def test_the_bundle_api_lists_the_fields_asked_once(client, bundle, item):
    body = client.get(f"/api/v1/bundles/{bundle.code}").json()

    shared = {field["name"]: field for field in body["shared_fields"]}
    assert f"{item.implementation_code}.applicant_name" in shared["applicant_name"]["filled_into"]
