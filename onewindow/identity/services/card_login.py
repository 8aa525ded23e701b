"""Signing in at a hall's self-service machine with the resident ID card on its reader (刷身份证登录)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onewindow.core.errors import DomainError
from onewindow.core.masking import mask_citizen_id
from onewindow.core.plugins import plugin
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.identity.card_readers import IdCard
from onewindow.identity.services.accounts import _login_failed, account_lock_check, login_complete
from onewindow.identity.services.people import person_by_identifier

NOT_REGISTERED = "该身份证尚未在平台注册。请到人工窗口办理，或先用手机注册。"


def card_read(*, terminal: str) -> IdCard:
    """The card on the terminal's reader (through the ``id_card_reader`` plug-in)."""
    return plugin("id_card_reader").read(terminal=terminal)


def login_with_id_card(*, request: HttpRequest, terminal: str) -> Any:
    """Sign the card's holder in on a kiosk. Only residents: staff accounts need their second factor, which a
    card cannot give, so they sign in on the ordinary page."""
    rate_limit_hit(scope="login", key=f"addr:{client_address(request)}")
    card = card_read(terminal=terminal)
    person = person_by_identifier(card.id_number)
    label = mask_citizen_id(card.id_number)
    if person is None or person.user.is_staff:
        _login_failed(request, label=label, method="id_card", reason="unknown")
        raise DomainError(code="id_card.not_registered", message=NOT_REGISTERED, status=403)
    user = person.user
    account_lock_check(user)
    if not user.is_active:
        _login_failed(request, label=label, method="id_card", reason="inactive")
        raise DomainError(code="login.inactive", message="该账号已停用，请到人工窗口咨询。", status=403)
    if card.name != user.name:
        _login_failed(request, label=label, method="id_card", reason="name_mismatch")
        raise DomainError(
            code="id_card.name_mismatch",
            message="身份证上的姓名与平台登记的不一致，请到人工窗口核实。",
            status=403,
        )
    login_complete(request=request, user=user, method="id_card")
    return user
