"""好差评 in the browser: a citizen rates a concluded case 非常不满意 from the QR on the notice, the
department calls back and records the fix, the citizen re-rates it, and the public report shows it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from onewindow.cases import services as case_services
from onewindow.cases.models import ConclusionCode
from onewindow.cases.notices import _notice_context, rating_url
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core.qr import qr_svg
from onewindow.organisations.models import Role
from onewindow.ratings.models import Rating, RectificationStatus
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


def staff(username, name, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, name=name, is_staff=True), department=department, role=role
    ).user


@pytest.fixture
def concluded_case(department_a, citizen, clerk_a):
    approver = staff("approver_a", "王批准", department_a, Role.APPROVER)
    item = case_item(department=department_a, name="食品经营许可")
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    case_services.case_process_start(case=case, actor=clerk_a)
    case.refresh_from_db()
    return case_services.case_conclude(
        case=case, actor=approver, code=ConclusionCode.APPROVED, result="许可证"
    )


def test_a_bad_rating_from_the_notice_is_called_back_fixed_re_rated_and_published(
    new_page, live_server, screenshot, concluded_case, citizen, department_a
):
    head = staff("head_a", "周局长", department_a, Role.HEAD)
    # The acceptance notice the citizen holds carries the rating QR; it encodes the rating page's address.
    context = _notice_context(concluded_case, "acceptance")
    assert str(context["rating_qr_svg"]) == qr_svg(rating_url(concluded_case))
    target = urlsplit(context["rating_url"])

    phone = signed_in_page(new_page, live_server, citizen, PHONE)
    phone.goto(f"{target.path}?{target.query}")
    expect(phone.get_by_role("heading", name="评价本次办理")).to_be_visible()
    expect(phone.get_by_label("非常不满意")).not_to_be_checked()
    phone.get_by_label("非常不满意").check()
    phone.get_by_label("办事效率").select_option(label="非常不满意")
    phone.get_by_label("评价内容（选填，不超过500字）").fill("审批时间太长，窗口没有一次性告知")
    screenshot(phone, "ratings-1-citizen-rates-from-qr")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone).to_have_url(re.compile(r"/rate/mine/$"))
    expect(phone.get_by_text("感谢您的评价，评价已记录。")).to_be_visible()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level) == ("qr", 5)

    desk = signed_in_page(new_page, live_server, head)
    desk.goto("/workbench/ratings/")
    desk.locator(".rating-table").get_by_role("link").first.click()
    expect(desk.get_by_role("heading", name=re.compile("差评"))).to_be_visible()
    desk.get_by_role("button", name="查看评价人联系方式以便回访").click()
    expect(desk.get_by_text(citizen.person.phone)).to_be_visible()
    desk.get_by_label("回访情况").fill("已电话回访，向申请人致歉，核实为材料告知不到位")
    desk.get_by_role("button", name="登记回访").click()
    expect(desk.get_by_text("回访已登记。")).to_be_visible()
    desk.get_by_label("整改结果").select_option(label="立行立改")
    desk.get_by_label("整改情况").fill("已修订一次性告知清单并培训窗口人员")
    desk.get_by_role("button", name="登记整改结果").click()
    expect(desk.get_by_text("整改结果已登记，将请评价人对整改进行复评。")).to_be_visible()
    screenshot(desk, "ratings-2-department-calls-back-and-fixes")

    phone.goto("/rate/mine/")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_text("感谢您的复评，已记录。")).to_be_visible()
    screenshot(phone, "ratings-3-citizen-re-rates")
    rating.rectification.refresh_from_db()
    assert rating.rectification.status == RectificationStatus.CLOSED

    public = new_page()
    public.goto("/")
    public.get_by_role("link", name="好差评公示").click()
    expect(public.get_by_role("heading", name=re.compile("好差评公示"))).to_be_visible()
    expect(public.get_by_role("link", name=concluded_case.number)).to_be_visible()
    expect(public.locator(".rating-figures")).to_contain_text("100.0%")
    body = public.content()
    assert citizen.name not in body and citizen.person.phone not in body
    screenshot(public, "ratings-4-public-report")


def test_a_staff_account_cannot_rate_for_the_applicant(new_page, live_server, concluded_case, clerk_a):
    page = signed_in_page(new_page, live_server, clerk_a)
    response = page.goto(f"/rate/case/{concluded_case.pk}/")
    assert response is not None and response.status == 404
    assert not Rating.objects.exists()


def test_a_window_visit_is_rated_on_the_hall_tablet_and_an_appeal_reaches_the_supervisor(
    new_page, live_server, screenshot, centre, bureau, supervisor
):
    head = staff("head_bureau", "陈局长", bureau, Role.HEAD)
    tablet = new_page(PHONE)
    tablet.goto(f"/rate/window/{centre.pk}/A03/?via=tablet")
    expect(tablet.get_by_role("heading", name="评价 A03 号窗口")).to_be_visible()
    tablet.get_by_label("不满意", exact=True).check()
    tablet.get_by_label("服务态度").select_option(label="不满意")
    screenshot(tablet, "ratings-5-window-tablet")
    tablet.get_by_role("button", name="提交评价").click()
    expect(tablet.get_by_role("heading", name="感谢您的评价，评价已记录。")).to_be_visible()
    rating = Rating.objects.get()
    assert (rating.channel, rating.window_code, rating.rater_id) == ("tablet", "A03", None)

    desk = signed_in_page(new_page, live_server, head)
    desk.goto(f"/workbench/ratings/{rating.rectification.pk}/")
    desk.get_by_label("申诉理由").fill("监控显示当时窗口无人办理，疑为误评")
    desk.get_by_role("button", name="提交监察复核").click()
    expect(desk.get_by_text("申诉已提交监察人员复核。")).to_be_visible()

    review = signed_in_page(new_page, live_server, supervisor)
    review.goto("/workbench/ratings/supervision/")
    review.get_by_role("link", name=re.compile(bureau.name)).click()
    review.get_by_label("申诉成立：剔除该评价").check()
    review.get_by_label("复核意见").fill("经调取监控核实为误评，予以剔除")
    review.get_by_role("button", name="登记复核结果").click()
    expect(review.get_by_text("复核结果已登记。")).to_be_visible()
    screenshot(review, "ratings-6-supervisor-review")
    rating.refresh_from_db()
    assert rating.excluded
