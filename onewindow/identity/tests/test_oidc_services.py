"""Registering department systems: confidential code-flow clients with RS256, secrets shown once and kept
hashed, rotation and disabling recorded in the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, RefreshToken

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.oidc.services import (
    oidc_client_disable,
    oidc_client_is_active,
    oidc_client_register,
    oidc_client_secret_rotate,
)
from onewindow.identity.tests.oidc_flow import REDIRECT_URI, code_flow, department_system, pkce_pair

DEMO_SECRET = "demo-secret-for-the-quick-start-0123456789"


def _token_request(application: Application, secret: str) -> int:
    """A token request with a wrong code: 400 means the client authenticated, 401 means it did not."""
    return (
        Client()
        .post(
            "/o/token/",
            {
                "grant_type": "authorization_code",
                "code": "nope",
                "redirect_uri": REDIRECT_URI,
                "code_verifier": "x" * 43,
                "client_id": application.client_id,
                "client_secret": secret,
            },
        )
        .status_code
    )


def test_a_department_system_is_a_confidential_code_flow_client_signing_with_rs256(platform_admin):
    application, secret = department_system(platform_admin)

    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert application.algorithm == Application.RS256_ALGORITHM
    assert application.skip_authorization
    assert application.redirect_uris == REDIRECT_URI
    assert len(secret) >= 32


def test_the_secret_is_stored_hashed_and_never_written_to_the_audit_trail(platform_admin):
    application, secret = department_system(platform_admin)

    application.refresh_from_db()
    assert application.client_secret != secret
    assert application.client_secret.startswith(("md5$", "argon2", "pbkdf2"))
    entry = AuditEntry.objects.get(action="oidc_client.register")
    assert entry.actor_id == platform_admin.pk
    assert entry.changes["client_id"] == application.client_id
    assert secret not in str(entry.changes)


def test_the_demo_registers_a_client_with_a_fixed_id_and_secret(platform_admin):
    application, secret = oidc_client_register(
        actor=platform_admin,
        name="演示部门系统",
        redirect_uris=["http://127.0.0.1:8001/callback"],
        client_id="onewindow-demo",
        client_secret=DEMO_SECRET,
    )

    assert (application.client_id, secret) == ("onewindow-demo", DEMO_SECRET)
    assert _token_request(application, DEMO_SECRET) == 400


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"redirect_uris": []}, "redirect_uris"),
        ({"redirect_uris": ["ftp://example.cn/cb"]}, "redirect_uris"),
        ({"redirect_uris": ["https://example.cn/cb#frag"]}, "redirect_uris"),
        ({"redirect_uris": ["/relative/callback"]}, "redirect_uris"),
        ({"post_logout_redirect_uris": ["javascript:alert(1)"]}, "post_logout_redirect_uris"),
        ({"client_id": "short"}, "client_id"),
        ({"client_secret": "too-short"}, "client_secret"),
    ],
)
def test_bad_registrations_are_refused_naming_the_field(platform_admin, fields, field):
    values = {"name": "部门系统", "redirect_uris": [REDIRECT_URI], **fields}

    with pytest.raises(DomainError) as refused:
        oidc_client_register(actor=platform_admin, **values)

    assert refused.value.code == "oidc_client.invalid"
    assert [problem.field for problem in refused.value.problems] == [field]
    assert not Application.objects.exists()


def test_a_client_id_in_use_is_refused(platform_admin):
    oidc_client_register(
        actor=platform_admin, name="甲", redirect_uris=[REDIRECT_URI], client_id="dept-system-1"
    )

    with pytest.raises(DomainError) as refused:
        oidc_client_register(
            actor=platform_admin, name="乙", redirect_uris=[REDIRECT_URI], client_id="dept-system-1"
        )

    assert refused.value.status == 409


def test_https_only_when_the_platform_runs_on_https(platform_admin, settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https"]}

    with pytest.raises(DomainError):
        oidc_client_register(
            actor=platform_admin, name="部门系统", redirect_uris=["http://dept.example.cn/cb"]
        )
    application, _ = oidc_client_register(
        actor=platform_admin, name="部门系统", redirect_uris=["https://dept.example.cn/cb"]
    )
    assert application.redirect_uris == "https://dept.example.cn/cb"


def test_a_new_secret_replaces_the_old_one_at_once(platform_admin):
    application, old_secret = department_system(platform_admin)

    new_secret = oidc_client_secret_rotate(actor=platform_admin, application=application)

    assert new_secret != old_secret
    assert _token_request(application, old_secret) == 401
    assert _token_request(application, new_secret) == 400
    assert AuditEntry.objects.filter(
        action="oidc_client.secret_rotate", target_id=str(application.pk)
    ).exists()


def test_disabling_a_client_revokes_its_tokens_and_stops_sign_ins(platform_admin, citizen, client_as):
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)
    code_flow(browser, application, secret)
    assert AccessToken.objects.filter(application=application).exists()

    oidc_client_disable(actor=platform_admin, application=application)

    application.refresh_from_db()
    assert not oidc_client_is_active(application)
    assert not AccessToken.objects.filter(application=application).exists()
    assert not RefreshToken.objects.filter(application=application, revoked=None).exists()
    assert _token_request(application, secret) == 401
    response = browser.get(
        "/o/authorize/",
        {"response_type": "code", "client_id": application.client_id, "redirect_uri": REDIRECT_URI},
    )
    assert response.status_code == 400
    entry = AuditEntry.objects.get(action="oidc_client.disable")
    assert entry.changes["redirect_uris"] == [REDIRECT_URI]


def test_a_disabled_client_gets_no_new_secret(platform_admin):
    application, _ = department_system(platform_admin)
    oidc_client_disable(actor=platform_admin, application=application)

    with pytest.raises(DomainError) as refused:
        oidc_client_secret_rotate(actor=platform_admin, application=application)
    assert refused.value.status == 409


def test_a_system_not_spared_consent_asks_the_person_first(platform_admin, citizen, client_as):
    application, _ = department_system(platform_admin, name="第三方便民应用", skip_authorization=False)
    browser = client_as(citizen)
    _verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile idcard",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }

    page = browser.get("/o/authorize/", query)

    assert page.status_code == 200
    assert "第三方便民应用" in page.content.decode()
    assert "身份证号码（脱敏）" in page.content.decode()
    form = {**page.context["form"].initial, "allow": "on"}
    answer = browser.post("/o/authorize/", {key: value for key, value in form.items() if value})
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{REDIRECT_URI}?code=")
