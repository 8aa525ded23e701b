"""Signing keys: a department's key pairs, created and rotated by its administrators. The private key is
stored encrypted (SM4-GCM, core.crypto); a retired key keeps verifying the licences it signed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.licences.models import KeyStatus, SignatureAlgorithm, SigningKey
from onewindow.licences.services._common import ADMIN_ROLES, department_role_check
from onewindow.licences.signing import key_id_for, signer_generate
from onewindow.organisations.models import Department


def _key_new(*, department: Department, algorithm: str) -> SigningKey:
    signer = signer_generate(algorithm)
    public_pem = signer.public_key_pem()
    return SigningKey.objects.create(
        department=department,
        algorithm=algorithm,
        key_id=key_id_for(algorithm=algorithm, public_key_pem=public_pem),
        public_key=public_pem,
        private_key=signer.private_key_text(),
        status=KeyStatus.ACTIVE,
    )


def _algorithm_check(algorithm: str) -> None:
    if algorithm not in SignatureAlgorithm.values:
        raise DomainError(code="signing_key.algorithm_invalid", message="签名算法应为 SM2/SM3 或 Ed25519。")


@transaction.atomic
def signing_key_create(
    *, department: Department, algorithm: str = SignatureAlgorithm.SM2_SM3, actor: Any | None
) -> SigningKey:
    """Create a department's first active key for ``algorithm``; ``actor`` None is the system (a command)."""
    _algorithm_check(algorithm)
    if actor is not None:
        department_role_check(actor, department, ADMIN_ROLES, "创建签名密钥")
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if SigningKey.objects.filter(
        department=department, algorithm=algorithm, status=KeyStatus.ACTIVE
    ).exists():
        raise DomainError(
            code="signing_key.exists",
            message="本部门已有该算法的在用签名密钥；如需更换请轮换密钥。",
            status=409,
        )
    key = _key_new(department=department, algorithm=algorithm)
    audit_record(actor=actor, action="signing_key.create", target=key, changes={"algorithm": algorithm})
    return key


@transaction.atomic
def signing_key_rotate(
    *, department: Department, algorithm: str = SignatureAlgorithm.SM2_SM3, actor: Any | None
) -> SigningKey:
    """Retire the department's active key for ``algorithm`` (it keeps verifying what it signed) and create
    the key that signs from now on."""
    _algorithm_check(algorithm)
    if actor is not None:
        department_role_check(actor, department, ADMIN_ROLES, "轮换签名密钥")
    Department.objects.select_for_update().filter(pk=department.pk).first()
    retired = list(
        SigningKey.objects.select_for_update().filter(
            department=department, algorithm=algorithm, status=KeyStatus.ACTIVE
        )
    )
    now = clock.now()
    for old in retired:
        old.status = KeyStatus.RETIRED
        old.retired_at = now
        old.save(update_fields=["status", "retired_at", "updated_at"])
    key = _key_new(department=department, algorithm=algorithm)
    audit_record(
        actor=actor,
        action="signing_key.rotate",
        target=key,
        changes={"algorithm": algorithm, "retired": [old.key_id for old in retired]},
    )
    return key


def signing_key_for_issuing(*, department: Department) -> SigningKey:
    """The key that signs the department's new licences: its active SM2 key, else its active Ed25519 key,
    else a new SM2 key (a department issuing for the first time needs no separate set-up step). Runs inside
    the issuing transaction."""
    # The department's row lock (as signing_key_create and signing_key_rotate take it) serialises two first
    # issues: the second waits, then finds the key the first created instead of inserting a duplicate.
    Department.objects.select_for_update().filter(pk=department.pk).first()
    active = {
        key.algorithm: key
        for key in SigningKey.objects.filter(department=department, status=KeyStatus.ACTIVE)
    }
    key = active.get(SignatureAlgorithm.SM2_SM3) or active.get(SignatureAlgorithm.ED25519)
    if key is not None:
        return key
    key = _key_new(department=department, algorithm=SignatureAlgorithm.SM2_SM3)
    audit_record(actor=None, action="signing_key.create", target=key, changes={"algorithm": key.algorithm})
    return key
