"""Registering the department systems (OIDC clients) that sign people in through the platform.

Every registered system is a confidential client using the authorisation-code grant with PKCE and RS256
ID tokens. Its secret is stored hashed and shown once, when it is made; a lost secret is replaced, never
recovered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oauth2_provider.settings import oauth2_settings

from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.identity.oidc import keys

Application = get_application_model()
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,100}$")
MIN_SECRET_LENGTH = 20


def _uri_problems(field: str, uris: Sequence[str], *, required: bool) -> tuple[list[str], list[FieldProblem]]:
    """Clean a list of callback addresses: absolute, an allowed scheme, no fragment (RFC 6749 §3.1.2)."""
    cleaned = [uri.strip() for uri in uris if uri and uri.strip()]
    problems = []
    if required and not cleaned:
        problems.append(FieldProblem(field, "redirect_uri.missing", "请至少填写一个回调地址。"))
    schemes = oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    for uri in cleaned:
        parts = urlsplit(uri)
        if parts.scheme not in schemes or not parts.hostname or parts.fragment or " " in uri:
            problems.append(
                FieldProblem(
                    field,
                    "redirect_uri.invalid",
                    f"回调地址“{uri}”无效：须是以 {' 或 '.join(f'{s}://' for s in schemes)} 开头的完整地址，"
                    "不含“#”后的部分。",
                )
            )
    return cleaned, problems


@transaction.atomic
def oidc_client_register(
    *,
    actor: Any,
    name: str,
    redirect_uris: Sequence[str],
    post_logout_redirect_uris: Sequence[str] = (),
    client_id: str | None = None,
    client_secret: str | None = None,
    skip_authorization: bool = True,
) -> tuple[AbstractApplication, str]:
    """Register a department system as a confidential OIDC client. Returns the client and its secret in
    plain text, the only time anyone sees it. ``skip_authorization`` spares people a consent page for the
    government's own systems."""
    problems = []
    name = (name or "").strip()
    if not name or len(name) > 255:
        problems.append(FieldProblem("name", "name.invalid", "请填写系统名称（不超过 255 个字符）。"))
    redirects, redirect_problems = _uri_problems("redirect_uris", redirect_uris, required=True)
    logouts, logout_problems = _uri_problems(
        "post_logout_redirect_uris", post_logout_redirect_uris, required=False
    )
    problems += redirect_problems + logout_problems
    if client_id is not None and not CLIENT_ID_PATTERN.match(client_id):
        problems.append(
            FieldProblem("client_id", "client_id.invalid", "客户端标识须为 8–100 位字母、数字或“._-”。")
        )
    if client_secret is not None and len(client_secret) < MIN_SECRET_LENGTH:
        problems.append(
            FieldProblem(
                "client_secret", "client_secret.short", f"客户端密钥至少 {MIN_SECRET_LENGTH} 个字符。"
            )
        )
    if problems:
        raise DomainError(code="oidc_client.invalid", message=problems[0].message, problems=problems)
    client_id = client_id or generate_client_id()
    if Application.objects.filter(client_id=client_id).exists():
        raise DomainError(
            code="oidc_client.client_id_taken",
            message=f"客户端标识“{client_id}”已被占用，请换一个。",
            status=409,
            problems=[FieldProblem("client_id", "client_id.taken", "该客户端标识已被占用。")],
        )
    secret = client_secret or generate_client_secret()
    application = Application.objects.create(
        name=name,
        client_id=client_id,
        client_secret=secret,
        hash_client_secret=True,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=" ".join(redirects),
        post_logout_redirect_uris=" ".join(logouts),
        skip_authorization=skip_authorization,
    )
    audit_record(
        actor=actor,
        action="oidc_client.register",
        target=application,
        changes={
            "client_id": client_id,
            "redirect_uris": redirects,
            "post_logout_redirect_uris": logouts,
            "skip_authorization": skip_authorization,
        },
    )
    return application, secret


def _live(application: AbstractApplication) -> None:
    if not oidc_client_is_active(application):
        raise DomainError(code="oidc_client.disabled", message="该系统已停用，请重新登记。", status=409)


def oidc_client_is_active(application: AbstractApplication) -> bool:
    """A disabled client keeps its row (for the record) but has no callback address to send anyone to."""
    return bool(application.redirect_uris.strip())


@transaction.atomic
def oidc_client_secret_rotate(*, actor: Any, application: AbstractApplication) -> str:
    """Give a department system a new secret (the old one stops working at once) and return it in plain
    text, once. Tokens already issued stay valid until they expire."""
    _live(application)
    secret = generate_client_secret()
    application.client_secret = secret
    application.save(update_fields=["client_secret", "updated"])
    audit_record(actor=actor, action="oidc_client.secret_rotate", target=application)
    return secret


@transaction.atomic
def oidc_client_disable(*, actor: Any, application: AbstractApplication) -> AbstractApplication:
    """Stop a department system from signing anyone in: its callback addresses and secret are withdrawn and
    every token and code it holds is revoked. The addresses are kept in the audit trail."""
    _live(application)
    changes = {
        "redirect_uris": application.redirect_uris.split(),
        "post_logout_redirect_uris": application.post_logout_redirect_uris.split(),
    }
    for refresh in get_refresh_token_model().objects.filter(application=application, revoked=None):
        refresh.revoke()
    # Revoking an access token is deleting it (django-oauth-toolkit).
    get_access_token_model().objects.filter(application=application).delete()
    get_id_token_model().objects.filter(application=application).delete()
    get_grant_model().objects.filter(application=application).delete()
    application.redirect_uris = ""
    application.post_logout_redirect_uris = ""
    application.skip_authorization = False
    # Nobody ever learns this secret: the client can no longer authenticate at the token endpoint.
    application.client_secret = generate_client_secret()
    application.save()
    audit_record(actor=actor, action="oidc_client.disable", target=application, changes=changes)
    return application


def oidc_signing_key_rotate(*, actor: Any = None, keep_inactive: int = 3) -> tuple[str, str]:
    """Make a new ID-token signing key in the data directory; the current one stays published (JWKS) for
    tokens it signed. Returns (new kid, retired kid); processes use the new key once restarted."""
    try:
        new_kid, retired_kid = keys.signing_key_rotate(Path(settings.DATA_DIR), keep_inactive=keep_inactive)
    except keys.KeysManagedByOperator:
        raise DomainError(
            code="oidc_key.managed",
            message="已设置 ONEWINDOW_OIDC_KEY_FILE，签名密钥由运维人员管理：请把新密钥写入该文件，"
            "把旧密钥文件列入 ONEWINDOW_OIDC_INACTIVE_KEY_FILES，然后重启各进程。",
        ) from None
    audit_record(
        actor=actor,
        action="oidc_key.rotate",
        changes={"kid": [retired_kid, new_kid], "keep_inactive": keep_inactive},
    )
    return new_kid, retired_kid
