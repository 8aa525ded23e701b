"""Life-event bundles (一件事一次办): one parent case, one child per chosen item in its own department,
submitted at once, one timeline for the applicant, concluded when the last child is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import selectors, services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode, EventAction
from onewindow.cases.tests.factories import FORM, case_item, case_materials_attach
from onewindow.catalogue.models import BundleItem
from onewindow.catalogue.tests.factories import BundleFactory
from onewindow.core.errors import DomainError, NotFound
from onewindow.identity.models import Person
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_b(department_b):
    return case_item(department=department_b, name="公共场所卫生许可")


@pytest.fixture
def optional_item(department_b):
    return case_item(department=department_b, name="健康证明核发", min_assurance_level=3)


@pytest.fixture
def bundle(item, item_b, optional_item):
    """Stage 1: 食品经营许可 (department A); stage 2: 公共场所卫生许可 and, if it applies, 健康证明核发 (B)."""
    bundle = BundleFactory(name="开办餐饮店一件事", items=[item, item_b])
    BundleItem.objects.create(bundle=bundle, item=optional_item, order=3, stage=2, optional=True)
    return bundle


def _approver(username, department):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=Role.APPROVER
    ).user


def _children(parent: Case) -> dict[str, Case]:
    return {child.item_version.name: child for child in parent.children.select_related("item_version")}


def _complete(parent: Case, user) -> None:
    for child in parent.children.all():
        services.case_form_save(case=child, user=user, form_data=FORM)
        case_materials_attach(child, user)


@pytest.fixture
def submitted(at, citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    _complete(parent, citizen)
    return services.bundle_case_submit(case=parent, actor=citizen)


# --- starting --------------------------------------------------------------------------------------------


def test_start_creates_a_parent_and_a_draft_child_per_required_item_in_its_department(
    citizen, bundle, item, item_b, department_a, department_b
):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    assert parent.bundle == bundle and parent.status == CaseStatus.DRAFT
    # Filed under the lead item (the first of stage 1) so that every page showing a case still works.
    assert parent.item == item
    children = _children(parent)
    assert set(children) == {"食品经营许可", "公共场所卫生许可"}
    assert children["食品经营许可"].department == department_a
    assert children["公共场所卫生许可"].department == department_b
    assert all(child.status == CaseStatus.DRAFT for child in children.values())
    assert children["公共场所卫生许可"].item_version == item_b.published_version


def test_start_adds_the_optional_items_ticked(citizen, bundle, optional_item):
    Person.objects.filter(user=citizen).update(assurance_level=3)

    parent = services.bundle_case_start(user=citizen, bundle=bundle, optional_items=[optional_item])

    assert "健康证明核发" in _children(parent)


def test_start_refuses_an_item_that_is_not_an_optional_entry(citizen, bundle, item):
    with pytest.raises(DomainError) as refused:
        services.bundle_case_start(user=citizen, bundle=bundle, optional_items=[item])

    assert refused.value.code == "bundle_item_unknown"
    assert not Case.objects.exists()


def test_start_needs_the_highest_level_of_the_chosen_items(citizen, bundle, optional_item):
    # Without the optional item L2 is enough; with it (L3) the whole bundle needs L3.
    with pytest.raises(DomainError) as refused:
        services.bundle_case_start(user=citizen, bundle=bundle, optional_items=[optional_item])

    assert refused.value.code == "assurance_level_too_low" and refused.value.status == 403
    assert "L3" in refused.value.message
    assert not Case.objects.exists()
    assert services.bundle_required_level(bundle.entries.all()) == 3


def test_start_refuses_a_bundle_with_an_item_not_online(citizen, bundle, item_b):
    item_b.published_version.__class__.objects.filter(pk=item_b.published_version_id).update(
        handling_forms=["window"], online_depth=["consultation"]
    )

    with pytest.raises(DomainError) as refused:
        services.bundle_case_start(user=citizen, bundle=bundle)

    assert refused.value.code == "item_not_online" and "公共场所卫生许可" in refused.value.message
    assert not Case.objects.exists()


def test_start_with_the_same_idempotency_key_returns_the_first_bundle(citizen, bundle):
    first = services.bundle_case_start(user=citizen, bundle=bundle, idempotency_key="k-1")
    again = services.bundle_case_start(user=citizen, bundle=bundle, idempotency_key="k-1")

    assert again == first
    assert Case.objects.filter(bundle=bundle).count() == 1


# --- submitting ------------------------------------------------------------------------------------------


def test_submit_reports_every_problem_of_every_child_naming_the_item(at, citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    first = _children(parent)["食品经营许可"]
    services.case_form_save(case=first, user=citizen, form_data=FORM)
    case_materials_attach(first, citizen)
    # The prefilled name cleared: the second item lacks its form field and both uploads.
    services.case_form_save(case=_children(parent)["公共场所卫生许可"], user=citizen, form_data={})

    with pytest.raises(DomainError) as refused:
        services.bundle_case_submit(case=parent, actor=citizen)

    messages = [problem.message for problem in refused.value.problems]
    assert refused.value.code == "bundle_incomplete"
    # All at once, each naming its item; the complete first item has none.
    assert len(messages) == 3 and all(m.startswith("公共场所卫生许可：") for m in messages)
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.DRAFT}


def test_submit_sends_only_the_first_stage_to_its_departments_queue(submitted, clerk_a, clerk_b):
    children = _children(submitted)

    assert submitted.status == CaseStatus.SUBMITTED
    assert list(selectors.cases_for_department(user=clerk_a)) == [children["食品经营许可"]]
    # Stage 2 waits as a draft until stage 1 concludes (bundle_stages.py).
    assert list(selectors.cases_for_department(user=clerk_b)) == []
    assert children["食品经营许可"].status == CaseStatus.SUBMITTED
    assert children["公共场所卫生许可"].status == CaseStatus.DRAFT


def test_a_child_cannot_be_submitted_on_its_own(at, citizen, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    _complete(parent, citizen)
    child = parent.children.first()

    with pytest.raises(DomainError) as refused:
        services.case_submit(case=child, actor=citizen)

    assert refused.value.code == "bundle_submit_required"


def test_the_parent_is_not_a_case_for_any_department(submitted, clerk_a):
    with pytest.raises(NotFound):
        selectors.case_get_for_staff(user=clerk_a, case_id=submitted.pk)


# --- what the applicant sees -----------------------------------------------------------------------------


def test_the_applicant_sees_one_timeline_naming_each_item(submitted, citizen, clerk_a):
    services.case_accept(case=_children(submitted)["食品经营许可"], clerk=clerk_a)

    timeline = selectors.bundle_timeline(case=submitted)

    assert [(e.item_name, e.action) for e in timeline] == [
        ("食品经营许可", EventAction.SUBMITTED),
        ("开办餐饮店一件事", EventAction.SUBMITTED),
        ("开办餐饮店一件事", EventAction.ACCEPTED),
        ("食品经营许可", EventAction.ACCEPTED),
    ]


def test_my_cases_lists_the_bundle_once_with_its_children(submitted, citizen):
    rows = list(selectors.cases_for_applicant(user=citizen, top_level=True))

    assert rows == [submitted]
    assert len(rows[0].children.all()) == 2
    # Without the flag every case is listed, as before.
    assert selectors.cases_for_applicant(user=citizen).count() == 3


def test_another_citizens_bundle_is_not_found(submitted, another_citizen, client_as):
    with pytest.raises(NotFound):
        selectors.case_get_for_applicant(user=another_citizen, case_id=submitted.pk)

    response = client_as(another_citizen).get(reverse("cases:case", args=[submitted.pk]))

    assert response.status_code == 404


# --- the end -----------------------------------------------------------------------------------------------


def _conclude_all(parent, clerk_a, clerk_b, department_a, department_b, codes):
    approvers = {
        department_a.pk: _approver("approver_a", department_a),
        department_b.pk: _approver("approver_b", department_b),
    }
    clerks = {department_a.pk: clerk_a, department_b.pk: clerk_b}
    for child, code in zip(parent.children.order_by("created_at"), codes, strict=True):
        accepted = services.case_accept(case=child, clerk=clerks[child.department_id]).case
        services.case_conclude(
            case=accepted,
            actor=approvers[child.department_id],
            code=code,
            result="准予许可决定书",
            reason="不符合条件",
        )


def test_the_last_child_concluded_concludes_the_parent_approved(
    submitted, clerk_a, clerk_b, department_a, department_b
):
    approver = _approver("approver_a", department_a)
    first = _children(submitted)["食品经营许可"]
    first = services.case_accept(case=first, clerk=clerk_a).case
    services.case_conclude(case=first, actor=approver, code=ConclusionCode.APPROVED, result="许可证 JY1")
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.ACCEPTED  # one item is still being handled

    second = services.case_accept(case=_children(submitted)["公共场所卫生许可"], clerk=clerk_b).case
    services.case_conclude(
        case=second,
        actor=_approver("approver_b", department_b),
        code=ConclusionCode.APPROVED,
        result="卫生许可证",
    )

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.CONCLUDED
    assert submitted.conclusion_code == ConclusionCode.APPROVED


def test_a_mixed_outcome_is_recorded_item_by_item(submitted, clerk_a, clerk_b, department_a, department_b):
    _conclude_all(
        submitted,
        clerk_a,
        clerk_b,
        department_a,
        department_b,
        [ConclusionCode.APPROVED, ConclusionCode.DENIED],
    )

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.CONCLUDED
    assert submitted.conclusion_code is None
    assert submitted.result == "食品经营许可：出证办结；公共场所卫生许可：不予许可"


def test_withdrawing_the_bundle_withdraws_the_children_not_yet_accepted(submitted, citizen, clerk_a):
    accepted = services.case_accept(case=_children(submitted)["食品经营许可"], clerk=clerk_a).case

    parent = services.bundle_case_withdraw(case=submitted, actor=citizen, reason="不开店了")

    children = _children(parent)
    assert children["公共场所卫生许可"].status == CaseStatus.WITHDRAWN
    assert children["食品经营许可"].status == CaseStatus.ACCEPTED == accepted.status
    # One item carries on with its department: the bundle is not over yet.
    assert parent.status == CaseStatus.ACCEPTED


def test_withdrawing_a_bundle_whose_children_all_go_withdraws_the_parent(submitted, citizen):
    parent = services.bundle_case_withdraw(case=submitted, actor=citizen, reason="不开店了")

    assert parent.status == CaseStatus.WITHDRAWN
    assert set(parent.children.values_list("status", flat=True)) == {CaseStatus.WITHDRAWN}


def test_the_parent_cannot_be_withdrawn_alone_like_a_single_case(submitted, citizen):
    with pytest.raises(DomainError) as refused:
        services.case_withdraw(case=submitted, actor=citizen, reason="不开店了")
    assert refused.value.code == "bundle_withdraw_required"
    assert set(submitted.children.values_list("status", flat=True)) == {
        CaseStatus.SUBMITTED,
        CaseStatus.DRAFT,
    }


# --- pages -----------------------------------------------------------------------------------------------


def test_the_bundle_guide_links_to_applying_online(client, bundle):
    response = client.get(reverse("catalogue:bundle", args=[bundle.code]))

    assert reverse("cases:apply_bundle", args=[bundle.code]) in response.content.decode()


def test_the_apply_page_offers_the_optional_items_and_starts_the_drafts(
    at, citizen, client_as, bundle, optional_item
):
    client = client_as(citizen)
    url = reverse("cases:apply_bundle", args=[bundle.code])
    assert f'value="{optional_item.pk}"' in client.get(url).content.decode()

    response = client.post(url, {"idempotency_key": "page-1"})

    parent = Case.objects.get(bundle=bundle)
    assert response.status_code == 302 and response["Location"] == reverse("cases:case", args=[parent.pk])
    assert parent.children.count() == 2


def test_the_apply_page_shows_the_step_up_when_a_ticked_item_needs_more(
    citizen, client_as, bundle, optional_item
):
    response = client_as(citizen).post(
        reverse("cases:apply_bundle", args=[bundle.code]), {"optional": [str(optional_item.pk)]}
    )

    assert response.status_code == 403
    assert reverse("identity:verify") in response.content.decode()
    assert not Case.objects.exists()


def test_the_bundle_page_lists_each_item_with_a_link_to_its_draft(at, citizen, client_as, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    page = client_as(citizen).get(reverse("cases:case", args=[parent.pk])).content.decode()

    for child in parent.children.all():
        assert reverse("cases:case", args=[child.pk]) in page
    assert reverse("cases:bundle_submit", args=[parent.pk]) in page


def test_submitting_an_incomplete_bundle_lists_every_problem_on_the_page(at, citizen, client_as, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)

    response = client_as(citizen).post(reverse("cases:bundle_submit", args=[parent.pk]))

    page = response.content.decode()
    assert response.status_code == 400
    assert "食品经营许可：请上传“居民身份证”。" in page and "公共场所卫生许可：请上传“申请表”。" in page


def test_submitting_a_complete_bundle_shows_the_merged_timeline(at, citizen, client_as, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    _complete(parent, citizen)
    client = client_as(citizen)

    response = client.post(
        reverse("cases:bundle_submit", args=[parent.pk]), {"shared.applicant_name": "张三"}, follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "福州市卫生健康委员会" in page and "开办餐饮店一件事" in page
    parent.refresh_from_db()
    assert parent.status == CaseStatus.SUBMITTED


def test_my_cases_shows_the_bundle_as_one_row(submitted, citizen, client_as):
    page = client_as(citizen).get(reverse("cases:mine")).content.decode()

    assert page.count(reverse("cases:case", args=[submitted.pk])) == 1
    for child in submitted.children.all():
        assert reverse("cases:case", args=[child.pk]) not in page


def test_a_refused_last_child_also_ends_the_bundle(submitted, clerk_a, clerk_b, department_a):
    first = services.case_accept(case=_children(submitted)["食品经营许可"], clerk=clerk_a).case
    services.case_conclude(
        case=first, actor=_approver("approver_a", department_a), code=ConclusionCode.APPROVED, result="许可证"
    )

    services.case_refuse(
        case=_children(submitted)["公共场所卫生许可"], clerk=clerk_b, reason="不属于本部门职权"
    )

    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.CONCLUDED
    assert submitted.result == "食品经营许可：出证办结；公共场所卫生许可：不予受理"


def test_an_items_page_sends_the_applicant_back_to_submit_the_bundle(at, citizen, client_as, bundle):
    parent = services.bundle_case_start(user=citizen, bundle=bundle)
    child = parent.children.first()

    page = client_as(citizen).get(reverse("cases:case", args=[child.pk])).content.decode()

    assert reverse("cases:case", args=[parent.pk]) in page
    assert 'value="submit"' not in page


def test_withdrawing_a_submitted_bundle_on_its_page_needs_a_reason(submitted, citizen, client_as):
    client = client_as(citizen)
    url = reverse("cases:bundle_withdraw", args=[submitted.pk])

    refused = client.post(url)
    done = client.post(url, {"reason": "不开店了"})

    assert refused.status_code == 400 and "请填写撤回申请的原因" in refused.content.decode()
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.WITHDRAWN
