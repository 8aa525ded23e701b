"""Demo people and department systems: citizens at each assurance level, a company with its legal
representative and agents (one of them expired), TOTP devices for the demo staff, and two registered
department-system clients for trying single sign-on (README, "Single sign-on")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.identity.models import AgencyScope, AssuranceLevel, Company, Person, TotpDevice
from onewindow.identity.oidc.services import oidc_client_register
from onewindow.identity.services.companies import agency_grant, company_register
from onewindow.identity.services.people import person_by_identifier, person_create

# A fixed base32 secret so the demo staff can add it to an authenticator app (or read the sandbox hint).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass(frozen=True)
class DemoCitizen:
    phone: str
    name: str
    level: int
    id_number: str
    description: str


CITIZENS = [
    DemoCitizen("13900000001", "孙小明", AssuranceLevel.L1, "", "L1 仅手机注册"),
    DemoCitizen("13900000002", "张三", AssuranceLevel.L2, "350102199003070012", "L2 实名核验"),
    DemoCitizen("13900000003", "李四", AssuranceLevel.L3, "350102198511120026", "L3 人脸核验"),
    DemoCitizen("13900000004", "王五", AssuranceLevel.L4, "350103197805200031", "L4 窗口现场核验"),
    DemoCitizen("13900000005", "陈大文", AssuranceLevel.L3, "350104199208150043", "企业法定代表人"),
    DemoCitizen("13900000006", "林小红", AssuranceLevel.L2, "35010219700101005X", "企业经办人（有效授权）"),
    DemoCitizen("13900000007", "黄晓东", AssuranceLevel.L2, "350105199506060069", "企业经办人（授权已过期）"),
]
DEMO_COMPANY_CREDIT_CODE = "91350100MA2Y0D3F9Q"

# Department systems registered with the platform's OpenID Connect provider (README, "Single sign-on").
SSO_CLIENTS: list[dict[str, Any]] = [
    {
        "name": "示范部门业务系统（不动产登记）",
        "client_id": "demo-department-system",
        "client_secret": "demo-department-secret-2026",
        "redirect_uris": ["http://127.0.0.1:8001/callback"],
        "post_logout_redirect_uris": ["http://127.0.0.1:8001/"],
    },
    {
        "name": "示范部门业务系统二（公积金）",
        "client_id": "demo-second-system",
        "client_secret": "demo-second-secret-2026",
        "redirect_uris": ["http://127.0.0.1:8002/callback"],
        "post_logout_redirect_uris": ["http://127.0.0.1:8002/"],
    },
]


def identity_demo_load(*, password: str, staff_usernames: list[str]) -> dict[str, int]:
    """Create whatever part of the identity demo is missing."""
    created = {"citizens": 0, "companies": 0, "agents": 0, "sso_clients": 0}
    people: dict[str, Person] = {}
    for citizen in CITIZENS:
        existing = person_by_identifier(citizen.phone)
        if existing is None:
            existing = person_create(
                name=citizen.name,
                phone=citizen.phone,
                id_number=citizen.id_number,
                password=password,
                assurance_level=citizen.level,
            )
            created["citizens"] += 1
        people[citizen.phone] = existing
    representative = people["13900000005"]
    company = Company.objects.filter(credit_code=DEMO_COMPANY_CREDIT_CODE).first()
    if company is None:
        company = company_register(person=representative, credit_code=DEMO_COMPANY_CREDIT_CODE)
        created["companies"] += 1
        now = timezone.now()
        for phone, expires in (
            ("13900000006", now + timedelta(days=365)),
            ("13900000007", now + timedelta(days=1)),
        ):
            agency_grant(
                grantor_user=representative.user,
                company=company,
                agent_identifier=phone,
                scopes=[AgencyScope.APPLY, AgencyScope.TRACK, AgencyScope.LICENCES],
                expires_at=expires,
            )
            created["agents"] += 1
        # The second authorisation is made to have run out, so the refusal can be tried.
        company.agencies.filter(agent=people["13900000007"]).update(expires_at=now - timedelta(days=1))
    for user in get_user_model().objects.filter(username__in=staff_usernames, totp__isnull=True):
        TotpDevice.objects.create(user=user, secret=DEMO_TOTP_SECRET, confirmed_at=timezone.now())
    from oauth2_provider.models import get_application_model

    for client in SSO_CLIENTS:
        if not get_application_model().objects.filter(client_id=client["client_id"]).exists():
            oidc_client_register(actor=None, **client)
            created["sso_clients"] += 1
    return created


def demo_identity_summary(indent: str = "") -> str:
    """What to print after loading the demo: staff TOTP, citizens and the SSO clients."""
    lines = [
        f"{indent}staff sign-in also asks for a TOTP code: secret {DEMO_TOTP_SECRET} (shown on the page in sandbox mode)"
    ]
    lines.append(f"{indent}demo citizens (sign in with the phone number, same password, or an SMS code):")
    lines += [f"{indent}  {c.phone}  {c.name}  {c.description}" for c in CITIZENS]
    lines.append(f"{indent}single sign-on clients (discovery /.well-known/openid-configuration):")
    lines += [
        f"{indent}  {c['client_id']} / {c['client_secret']}  redirect {c['redirect_uris'][0]}"
        for c in SSO_CLIENTS
    ]
    return "\n".join(lines)
