"""The WeChat Pay API v3 adapter's notices: RSA-SHA256 over timestamp\\nnonce\\nbody\\n verified against the
platform certificate, the resource decrypted with AES-256-GCM under the APIv3 key; anything else refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from onewindow.payments.providers import NoticeRefused, WeChatPayProvider, wechat_bill_parse

APIV3_KEY = "0123456789abcdef0123456789abcdef"


def _certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x5157F09EFDC096DE15EBE81A47057A72)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def platform_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def provider(tmp_path, platform_key) -> WeChatPayProvider:
    cert = tmp_path / "platform.pem"
    cert.write_bytes(_certificate(platform_key).public_bytes(serialization.Encoding.PEM))
    key_file = tmp_path / "apiv3.key"
    key_file.write_text(APIV3_KEY)
    return WeChatPayProvider(
        merchant_id="1900000109",
        app_id="wxd678efh567hg6787",
        merchant_serial="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        merchant_key_path=str(tmp_path / "merchant.pem"),
        platform_cert_path=str(cert),
        apiv3_key_path=str(key_file),
        notify_url="https://gov.example.cn/payments/notify/wechatpay/",
    )


def _notice(
    key: rsa.RSAPrivateKey,
    resource: dict,
    *,
    event: str = "TRANSACTION.SUCCESS",
    timestamp: int | None = None,
) -> tuple[dict[str, str], bytes]:
    nonce = "fdasflkja484w"
    ciphertext = AESGCM(APIV3_KEY.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event,
            "resource": {
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
    ).encode()
    stamp, sign_nonce = str(timestamp or int(time.time())), "593BEC0C930BF1AFEB40B4A08C8FB242"
    signature = key.sign(
        f"{stamp}\n{sign_nonce}\n".encode() + body + b"\n", padding.PKCS1v15(), hashes.SHA256()
    )
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": sign_nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": "5157F09EFDC096DE15EBE81A47057A72",
    }, body


PAID = {
    "out_trade_no": "P20260929100000123456",
    "transaction_id": "1217752501201407033233368018",
    "trade_state": "SUCCESS",
    "amount": {"total": 15000, "payer_total": 15000, "currency": "CNY"},
}


def test_a_genuine_notice_is_verified_and_decrypted(provider, platform_key):
    headers, body = _notice(platform_key, PAID)
    notification = provider.notification_parse(headers=headers, body=body)
    assert notification.kind == "payment" and notification.state == "success"
    assert notification.reference == PAID["out_trade_no"] and notification.amount == Decimal("150.00")
    assert notification.notice_id == "EV-2018022511223320873"


def test_notpay_maps_to_started_and_refunds_are_read(provider, platform_key):
    headers, body = _notice(platform_key, PAID | {"trade_state": "NOTPAY"})
    assert provider.notification_parse(headers=headers, body=body).state == "started"
    refund = {
        "out_trade_no": "P1",
        "out_refund_no": "R1",
        "refund_id": "50000",
        "refund_status": "SUCCESS",
        "amount": {"refund": 3000},
    }
    headers, body = _notice(platform_key, refund, event="REFUND.SUCCESS")
    parsed = provider.notification_parse(headers=headers, body=body)
    assert (parsed.kind, parsed.refund_reference, parsed.state, parsed.amount) == (
        "refund",
        "R1",
        "success",
        Decimal("30.00"),
    )


def test_a_notice_signed_with_another_key_is_refused(provider):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers, body = _notice(forger, PAID)
    with pytest.raises(NoticeRefused):
        provider.notification_parse(headers=headers, body=body)


def test_a_changed_body_is_refused(provider, platform_key):
    headers, body = _notice(platform_key, PAID)
    with pytest.raises(NoticeRefused):
        provider.notification_parse(headers=headers, body=body.replace(b"EV-", b"EX-"))


def test_an_old_notice_is_refused_as_a_replay(provider, platform_key):
    headers, body = _notice(platform_key, PAID, timestamp=int(time.time()) - 3600)
    with pytest.raises(NoticeRefused):
        provider.notification_parse(headers=headers, body=body)


def test_a_notice_for_another_certificate_serial_is_refused(provider, platform_key):
    headers, body = _notice(platform_key, PAID)
    with pytest.raises(NoticeRefused):
        provider.notification_parse(headers=headers | {"Wechatpay-Serial": "ABC"}, body=body)


def test_the_trade_bill_is_read_into_statement_lines():
    bill = (
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额,商户退款单号,退款金额\n"
        "`2026-09-29 10:01:00,`wx1,`1900000109,`42000,`P1,`SUCCESS,`150.00,`0,`0.00\n"
        "`2026-09-29 11:00:00,`wx1,`1900000109,`42000,`P1,`REFUND,`0.00,`R1,`30.00\n"
        "总交易单数,应结订单总金额\n`2,`150.00\n"
    )
    lines = wechat_bill_parse(bill)
    assert [(line.kind, line.reference, line.amount) for line in lines] == [
        ("charge", "P1", Decimal("150.00")),
        ("refund", "R1", Decimal("30.00")),
    ]
