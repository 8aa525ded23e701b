"""The sign-in, registration, password, second-factor and sessions pages."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core import clock
from onewindow.identity.models import Person, TotpDevice, UserSession
from onewindow.identity.services import totp
from onewindow.identity.sms import SandboxSmsGateway
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PHONE = "13900000001"
NEW_PHONE = "13700000077"
NEW_PASSWORD = "Blue-Kettle-Harbour-9"


def _password_login(client: Client, identifier: str, password: str = DEFAULT_PASSWORD, **extra: str):
    return client.post(LOGIN, {"method": "password", "username": identifier, "password": password, **extra})


def _current_code(user) -> str:
    secret = TotpDevice.objects.get(user=user).secret
    return totp.totp_code(base64.b32decode(secret + "=" * (-len(secret) % 8)), clock.now().timestamp())


@pytest.fixture
def totp_required(settings):
    settings.ONEWINDOW_STAFF_TOTP_REQUIRED = True


# --- The sign-in page ------------------------------------------------------------------------------------


def test_the_page_offers_password_and_sms_sign_in_and_registration(client):
    page = client.get(LOGIN).content.decode()
    assert "密码登录" in page and "短信验证码登录" in page
    assert 'name="password"' in page
    assert reverse("identity:register") in page and reverse("identity:password_reset") in page


def test_the_sms_tab_has_a_get_code_button_that_posts_the_form(client):
    page = client.get(LOGIN, {"method": "sms"}).content.decode()
    assert 'name="action" value="sms_send"' in page
    assert "获取验证码" in page


def test_a_citizen_lands_on_my_account(client, citizen):
    response = _password_login(client, PHONE)
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:account")


def test_a_safe_next_is_followed_and_an_outside_one_ignored(client, citizen):
    assert _password_login(client, PHONE, next="/services/")["Location"] == "/services/"
    client.post(reverse("identity:logout"))
    assert _password_login(client, PHONE, next="https://evil.example/")["Location"] == reverse(
        "identity:account"
    )


def test_the_sms_sign_in_through_the_page_shows_the_sandbox_code(client, citizen):
    response = client.post(LOGIN, {"method": "sms", "action": "sms_send", "phone": PHONE})
    code = SandboxSmsGateway.last_code(PHONE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "演示环境" in page and code in page
    response = client.post(LOGIN, {"method": "sms", "action": "sms_login", "phone": PHONE, "code": code})
    assert response["Location"] == reverse("identity:account")
    assert UserSession.objects.get().method == "sms"


def test_no_code_is_shown_outside_the_sandbox(client, citizen, settings):
    settings.ONEWINDOW_SANDBOX = False
    page = client.post(LOGIN, {"method": "sms", "action": "sms_send", "phone": PHONE}).content.decode()
    assert "演示环境" not in page
    assert SandboxSmsGateway.last_code(PHONE) not in page


def test_an_sms_sign_in_without_a_code_asks_for_it(client, citizen):
    response = client.post(LOGIN, {"method": "sms", "action": "sms_login", "phone": PHONE, "code": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_a_locked_account_gets_423_with_retry_after(client, citizen, settings):
    settings.ONEWINDOW_LOCKOUT_THRESHOLD = 2
    _password_login(client, PHONE, "wrong")
    response = _password_login(client, PHONE, "wrong")
    assert response.status_code == 423
    assert 0 < int(response["Retry-After"]) <= settings.ONEWINDOW_LOCKOUT_MINUTES * 60
    assert "账号已暂时锁定" in response.content.decode()


def test_too_many_attempts_get_429_with_retry_after(client, db, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "login": (2, 10**6)}
    for n in range(2):
        assert _password_login(client, f"1370000000{n}", "x").status_code == 200
    response = _password_login(client, "13700000009", "x")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "操作过于频繁" in response.content.decode()


def test_too_many_code_requests_get_429_with_retry_after(client, citizen, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "sms_send": (1, 10**6)}
    client.post(LOGIN, {"method": "sms", "action": "sms_send", "phone": PHONE})
    response = client.post(LOGIN, {"method": "sms", "action": "sms_send", "phone": PHONE})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_signed_in_visitor_is_sent_on(client_as, citizen):
    assert client_as(citizen).get(LOGIN)["Location"] == reverse("identity:account")


# --- Staff second factor ---------------------------------------------------------------------------------


def test_staff_without_an_authenticator_set_one_up_before_the_session_exists(client, clerk_a, totp_required):
    response = _password_login(client, "clerk_a")
    assert response["Location"] == reverse("identity:totp_enrol")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("identity:totp_enrol")).content.decode()
    assert 'src="data:image/svg+xml' in page
    response = client.post(reverse("identity:totp_enrol"), {"code": _current_code(clerk_a)})
    assert response["Location"] == reverse("workbench:home")
    assert client.session["_auth_user_id"] == str(clerk_a.pk)
    assert TotpDevice.objects.get(user=clerk_a).confirmed_at is not None


def test_staff_with_an_authenticator_enter_its_code(client, clerk_a, totp_required):
    totp.totp_enrol_start(user=clerk_a)
    totp.totp_enrol_confirm(user=clerk_a, code=_current_code(clerk_a))
    TotpDevice.objects.filter(user=clerk_a).update(last_step=0)
    response = _password_login(client, "clerk_a", next="/workbench/catalogue/")
    assert response["Location"] == reverse("identity:login_totp") + "?next=%2Fworkbench%2Fcatalogue%2F"
    page = client.get(response["Location"])
    assert "演示环境" in page.content.decode()
    wrong = client.post(
        response["Location"], {"code": "000000" if _current_code(clerk_a) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(
        response["Location"], {"code": _current_code(clerk_a), "next": "/workbench/catalogue/"}
    )
    assert right["Location"] == "/workbench/catalogue/"
    assert UserSession.objects.get().method == "password+totp"


def test_a_confirmed_authenticator_is_asked_for_even_when_not_required(client, clerk_a):
    totp.totp_enrol_start(user=clerk_a)
    totp.totp_enrol_confirm(user=clerk_a, code=_current_code(clerk_a))
    assert _password_login(client, "clerk_a")["Location"] == reverse("identity:login_totp")


def test_the_second_step_without_a_first_goes_back_to_sign_in(client):
    assert client.get(reverse("identity:login_totp"))["Location"].startswith(LOGIN)
    assert client.get(reverse("identity:totp_enrol"))["Location"].startswith(LOGIN)


def test_without_totp_required_staff_go_straight_to_the_workbench(client, clerk_a):
    assert _password_login(client, "clerk_a")["Location"] == "/workbench/"


# --- Registration and passwords --------------------------------------------------------------------------


def test_registration_through_the_page_signs_the_citizen_in(client, db):
    url = reverse("identity:register")
    page = client.post(url, {"action": "sms_send", "phone": NEW_PHONE}).content.decode()
    code = SandboxSmsGateway.last_code(NEW_PHONE)
    assert code in page
    response = client.post(
        url,
        {
            "action": "register",
            "name": "王五",
            "phone": NEW_PHONE,
            "code": code,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "agree": "on",
        },
    )
    assert response["Location"] == reverse("identity:account")
    assert Person.objects.get().user.name == "王五"
    assert client.session["_auth_user_id"]


def test_registration_needs_the_agreement_and_matching_passwords(client, db):
    response = client.post(
        reverse("identity:register"),
        {
            "action": "register",
            "name": "王五",
            "phone": NEW_PHONE,
            "code": "123456",
            "password": NEW_PASSWORD,
            "password_again": "other",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"agree", "password_again"}
    assert not Person.objects.exists()


def test_registering_a_taken_number_says_so_on_the_phone_field(client, citizen):
    response = client.post(reverse("identity:register"), {"action": "sms_send", "phone": PHONE})
    assert "该手机号码已注册" in str(response.context["form"].errors["phone"])


def test_a_password_reset_through_the_page(client, citizen):
    url = reverse("identity:password_reset")
    client.post(url, {"action": "sms_send", "phone": PHONE})
    code = SandboxSmsGateway.last_code(PHONE)
    response = client.post(
        url,
        {
            "action": "reset",
            "phone": PHONE,
            "code": code,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response["Location"] == LOGIN
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_a_password_change_keeps_this_browser_signed_in(citizen):
    here, elsewhere = Client(), Client()
    _password_login(here, PHONE)
    _password_login(elsewhere, PHONE)
    response = here.post(
        reverse("identity:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("identity:sessions")
    assert here.get(reverse("identity:sessions")).status_code == 200
    assert elsewhere.get(reverse("identity:sessions")).status_code == 302


def test_the_password_change_page_needs_a_sign_in(client):
    assert client.get(reverse("identity:password_change"))["Location"].startswith(LOGIN)


# --- Sessions page ---------------------------------------------------------------------------------------


def test_the_sessions_page_lists_this_browser(citizen):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36")
    _password_login(browser, PHONE)
    page = browser.get(reverse("identity:sessions")).content.decode()
    assert "Chrome · Windows" in page and "当前浏览器" in page


def test_ending_another_browser_from_the_page(citizen):
    here, elsewhere = Client(), Client()
    _password_login(here, PHONE)
    _password_login(elsewhere, PHONE)
    other = UserSession.objects.get(session_key=elsewhere.session.session_key)
    response = here.post(reverse("identity:sessions"), {"action": "end", "session_id": str(other.pk)})
    assert response.status_code == 302
    assert elsewhere.get(reverse("identity:sessions")).status_code == 302


def test_ending_someone_elses_session_from_the_page_is_404(citizen, another_citizen):
    _password_login(Client(), PHONE)
    theirs = UserSession.objects.get()
    mine = Client()
    mine.force_login(another_citizen)
    response = mine.post(reverse("identity:sessions"), {"action": "end", "session_id": str(theirs.pk)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.ended_at is None


def test_ending_all_other_browsers_from_the_page(citizen):
    here, one, two = Client(), Client(), Client()
    for browser in (here, one, two):
        _password_login(browser, PHONE)
    here.post(reverse("identity:sessions"), {"action": "end_others"})
    assert here.get(reverse("identity:sessions")).status_code == 200
    assert one.get(reverse("identity:sessions")).status_code == 302
    assert two.get(reverse("identity:sessions")).status_code == 302


# --- Header and sign-out ---------------------------------------------------------------------------------


def test_the_header_offers_sign_in_and_registration_to_visitors(client):
    page = client.get("/").content.decode()
    assert reverse("identity:login") in page and reverse("identity:register") in page


def test_the_header_shows_the_name_my_account_and_sign_out(client_as, citizen):
    page = client_as(citizen).get("/").content.decode()
    assert "张三" in page and reverse("identity:account") in page and reverse("identity:logout") in page


def test_sign_out_is_post_only(client_as, citizen):
    browser = client_as(citizen)
    assert browser.get(reverse("identity:logout")).status_code == 405
    assert browser.post(reverse("identity:logout"))["Location"] == "/"


def test_the_admin_signs_in_through_the_platform_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_a_signed_in_citizen_cannot_use_the_admin_sign_in_to_become_staff(client_as, citizen, clerk_a):
    client = client_as(citizen)
    response = client.post("/admin/login/", {"username": "clerk_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert client.get("/admin/").status_code == 302  # still not signed in to the admin
