"""The ID-token signing keys: made once for the quick start, named by the operator in production, and
rotated with the old key still published so that tokens it signed keep verifying."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.oidc import keys
from onewindow.identity.oidc.services import oidc_signing_key_rotate
from onewindow.identity.tests.oidc_flow import LOGOUT_URI, code_flow, department_system


@pytest.fixture
def key_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("ONEWINDOW_OIDC_KEY_FILE", raising=False)
    monkeypatch.delenv("ONEWINDOW_OIDC_INACTIVE_KEY_FILES", raising=False)
    return tmp_path


def _use_keys(settings, data_dir: Path) -> None:
    """Point the provider at the keys in ``data_dir``, as a restart after a rotation would."""
    active, inactive = keys.signing_keys(data_dir)
    settings.DATA_DIR = data_dir
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": active,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": inactive,
    }


def test_the_quick_start_key_is_made_once_readable_by_its_owner_only(key_dir):
    active, inactive = keys.signing_keys(key_dir)

    path = key_dir / "oidc" / "active.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert active.startswith("-----BEGIN PRIVATE KEY-----")
    assert inactive == []
    assert keys.signing_keys(key_dir) == (active, [])


def test_the_operator_names_the_key_files(key_dir, monkeypatch):
    made, _ = keys.signing_keys(key_dir / "elsewhere")
    (key_dir / "active.pem").write_text(made)
    (key_dir / "old1.pem").write_text("OLD-1")
    (key_dir / "old2.pem").write_text("OLD-2")
    monkeypatch.setenv("ONEWINDOW_OIDC_KEY_FILE", str(key_dir / "active.pem"))
    monkeypatch.setenv("ONEWINDOW_OIDC_INACTIVE_KEY_FILES", f"{key_dir / 'old1.pem'}, {key_dir / 'old2.pem'}")

    assert keys.signing_keys(key_dir) == (made, ["OLD-1", "OLD-2"])
    assert not (key_dir / "oidc").exists()


def test_rotation_retires_the_active_key_and_keeps_the_newest_inactive_ones(key_dir):
    first, _ = keys.signing_keys(key_dir)
    _, first_kid = keys.signing_key_rotate(key_dir, keep_inactive=2)
    _, second_kid = keys.signing_key_rotate(key_dir, keep_inactive=2)
    fourth_kid, third_kid = keys.signing_key_rotate(key_dir, keep_inactive=2)

    active, inactive = keys.signing_keys(key_dir)
    assert first_kid == keys.key_id(first)
    assert keys.key_id(active) == fourth_kid
    assert [keys.key_id(pem) for pem in inactive] == [third_kid, second_kid]
    for path in (key_dir / "oidc" / "inactive").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotation_is_refused_when_the_operator_manages_the_keys(key_dir, monkeypatch, db):
    monkeypatch.setenv("ONEWINDOW_OIDC_KEY_FILE", str(key_dir / "active.pem"))

    with pytest.raises(DomainError) as refused:
        oidc_signing_key_rotate()
    assert refused.value.code == "oidc_key.managed"
    with pytest.raises(CommandError, match="ONEWINDOW_OIDC_INACTIVE_KEY_FILES"):
        call_command("oidc_key_rotate")


def test_the_command_rotates_the_key_in_the_data_directory_and_records_it(key_dir, settings, db):
    _use_keys(settings, key_dir)
    old_kid = keys.key_id(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    out = StringIO()

    call_command("oidc_key_rotate", stdout=out)

    new_kid = keys.key_id(keys.signing_keys(key_dir)[0])
    assert new_kid != old_kid
    assert f"new signing key {new_kid}" in out.getvalue()
    entry = AuditEntry.objects.get(action="oidc_key.rotate")
    assert entry.changes["kid"] == [old_kid, new_kid]


def test_after_rotation_the_jwks_lists_both_keys_and_older_tokens_still_verify(
    key_dir, settings, client_as, citizen, platform_admin
):
    _use_keys(settings, key_dir)
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)
    before = code_flow(browser, application, secret)["id_token"]

    oidc_signing_key_rotate(keep_inactive=3)
    _use_keys(settings, key_dir)  # the restart
    after = code_flow(browser, application, secret)["id_token"]

    jwks = browser.get("/o/.well-known/jwks.json").json()
    active, (retired,) = keys.signing_keys(key_dir)
    assert [key["kid"] for key in jwks["keys"]] == [keys.key_id(active), keys.key_id(retired)]
    key_set = KeySet.import_key_set(jwks)
    assert jwt.decode(before, key_set).header["kid"] == keys.key_id(retired)
    assert jwt.decode(after, key_set).header["kid"] == keys.key_id(active)


def test_an_id_token_signed_before_rotation_still_ends_the_session_at_logout(
    key_dir, settings, client_as, citizen, platform_admin
):
    _use_keys(settings, key_dir)
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)
    before = code_flow(browser, application, secret)["id_token"]
    oidc_signing_key_rotate()
    _use_keys(settings, key_dir)

    response = browser.get("/o/logout/", {"id_token_hint": before, "post_logout_redirect_uri": LOGOUT_URI})

    assert response.status_code == 302
    assert response["Location"] == LOGOUT_URI
    assert "_auth_user_id" not in browser.session
