"""Payment providers behind one interface (``settings.ONEWINDOW_PLUGINS["payment_provider"]``).

A provider opens a checkout for an order, turns the notices it sends back into ``ProviderNotification``
(refusing any it cannot authenticate), submits refunds and lists a day's transactions for reconciliation.
``SandboxPaymentProvider`` is a whole provider inside the platform (a cashier page that pays or fails, its own
book, notices signed with its own key); ``WeChatPayProvider`` speaks WeChat Pay API v3.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.urls import reverse

from onewindow.core.errors import DomainError

# A notice older (or newer) than this is refused as a replay: WeChat Pay's own advice is 5 minutes.
NOTICE_MAX_SKEW_SECONDS = 300


class NoticeRefused(DomainError):
    """A provider notice that failed authentication (signature, certificate, decryption) or is malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(code="payment.notice_refused", message=message, status=401)


@dataclass(frozen=True)
class Checkout:
    """Where the payer goes next: a cashier page (``url``) or a code to scan (``qr_payload``)."""

    url: str = ""
    qr_payload: str = ""
    provider_id: str = ""


@dataclass(frozen=True)
class ProviderNotification:
    """One authenticated notice, in the platform's words (``state`` is a ``PaymentState`` or ``RefundState``)."""

    notice_id: str
    kind: str  # "payment" or "refund"
    reference: str  # the order number (out_trade_no)
    state: str
    provider_id: str = ""
    amount: Decimal | None = None
    refund_reference: str = ""
    failure_code: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatementLine:
    """One line of the provider's daily statement."""

    kind: str  # LedgerKind: charge / refund
    reference: str  # order number for a charge, refund number for a refund
    amount: Decimal


class PaymentProvider(Protocol):
    name: str

    def checkout(
        self, *, reference: str, amount: Decimal, description: str, expires_at: dt.datetime
    ) -> Checkout:
        """Open the provider's side of an order."""
        ...

    def notification_parse(self, *, headers: dict[str, str], body: bytes) -> ProviderNotification:
        """Authenticate and decode a notice; raise ``NoticeRefused`` when it is not genuine."""
        ...

    def refund(self, *, reference: str, refund_reference: str, amount: Decimal, total: Decimal) -> str:
        """Submit a refund; the provider's refund id (its result comes later as a notice)."""
        ...

    def statement(self, *, day: dt.date) -> list[StatementLine]:
        """The provider's transactions of one day (Asia/Shanghai)."""
        ...


def fen(amount: Decimal) -> int:
    """Chinese providers count in fen (分)."""
    return int((amount * 100).to_integral_value())


def yuan(amount_fen: int) -> Decimal:
    return (Decimal(amount_fen) / 100).quantize(Decimal("0.01"))


# --- sandbox ------------------------------------------------------------------------------------------------


class SandboxPaymentProvider:
    """The quick start's and the tests' provider: its cashier page pays or fails an order; its notices carry
    an HMAC-SHA256 over ``timestamp\\nnonce\\nbody\\n`` with a key only the platform knows, so a forged one
    is refused exactly as a real provider's would be."""

    name = "sandbox"

    def __init__(self, key: str = "") -> None:
        self._key = (key or settings.SECRET_KEY).encode()

    def checkout(
        self, *, reference: str, amount: Decimal, description: str, expires_at: dt.datetime
    ) -> Checkout:
        return Checkout(
            url=reverse("payments:sandbox_cashier", args=[reference]), provider_id=f"SBX{reference}"
        )

    def sign(self, *, timestamp: str, nonce: str, body: bytes) -> str:
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def notice(self, payload: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        """A signed notice as the sandbox sends it (headers, body)."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        return {
            "Sandbox-Timestamp": timestamp,
            "Sandbox-Nonce": nonce,
            "Sandbox-Signature": self.sign(timestamp=timestamp, nonce=nonce, body=body),
        }, body

    def notification_parse(self, *, headers: dict[str, str], body: bytes) -> ProviderNotification:
        timestamp = headers.get("Sandbox-Timestamp", "")
        nonce = headers.get("Sandbox-Nonce", "")
        expected = self.sign(timestamp=timestamp, nonce=nonce, body=body)
        if not hmac.compare_digest(expected, headers.get("Sandbox-Signature", "")):
            raise NoticeRefused("通知签名无效，已拒收。")
        _fresh(timestamp)
        try:
            data = json.loads(body)
            return ProviderNotification(
                notice_id=str(data["id"]),
                kind=str(data["kind"]),
                reference=str(data["reference"]),
                state=str(data["state"]),
                provider_id=str(data.get("provider_id", "")),
                amount=Decimal(str(data["amount"])) if data.get("amount") is not None else None,
                refund_reference=str(data.get("refund_reference", "")),
                failure_code=str(data.get("failure_code", "")),
                summary=data,
            )
        except (KeyError, ValueError, TypeError) as error:
            raise NoticeRefused("通知内容格式不正确。") from error

    def refund(self, *, reference: str, refund_reference: str, amount: Decimal, total: Decimal) -> str:
        return f"SBXR{refund_reference}"

    def statement(self, *, day: dt.date) -> list[StatementLine]:
        from onewindow.payments.models import SandboxTransaction  # the sandbox's own book (app registry)

        return [
            StatementLine(kind=row.kind, reference=row.reference, amount=row.amount)
            for row in SandboxTransaction.objects.filter(at__date=day)
        ]


def _fresh(timestamp: str) -> None:
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError as error:
        raise NoticeRefused("通知缺少有效的时间戳。") from error
    if skew > NOTICE_MAX_SKEW_SECONDS:
        raise NoticeRefused("通知时间戳已过期，可能是重放，已拒收。")


# --- WeChat Pay API v3 --------------------------------------------------------------------------------------

# trade_state → GOV.UK state. USERPAYING: the payer is entering a password (submitted).
WECHAT_TRADE_STATES = {
    "SUCCESS": "success",
    "NOTPAY": "started",
    "USERPAYING": "submitted",
    "CLOSED": "cancelled",
    "REVOKED": "cancelled",
    "PAYERROR": "failed",
    "REFUND": "success",  # paid, then (partly) refunded: the payment itself succeeded
}
WECHAT_REFUND_STATES = {
    "SUCCESS": "success",
    "CLOSED": "error",
    "ABNORMAL": "error",
    "PROCESSING": "submitted",
}


def _secret(value: str, path: str) -> str:
    """A secret given directly (environment) or as a file path (a mounted secret)."""
    if value:
        return value
    return Path(path).read_text().strip() if path else ""


class WeChatPayProvider:
    """WeChat Pay API v3 (微信支付 APIv3), native (scan-to-pay) orders.

    Requests are signed with the merchant's RSA key (``WECHATPAY2-SHA256-RSA2048``); notices are verified
    against the platform certificate — RSA-SHA256 over ``timestamp\\nnonce\\nbody\\n`` — and their
    ``resource`` decrypted with AES-256-GCM under the APIv3 key.
    """

    name = "wechatpay"
    base_url = "https://api.mch.weixin.qq.com"

    def __init__(
        self,
        *,
        merchant_id: str,
        app_id: str,
        merchant_serial: str,
        merchant_key_path: str,
        platform_cert_path: str,
        apiv3_key: str = "",
        apiv3_key_path: str = "",
        notify_url: str,
        base_url: str = "",
        timeout: float = 10.0,
    ) -> None:
        self.merchant_id = merchant_id
        self.app_id = app_id
        self.merchant_serial = merchant_serial
        self._merchant_key_path = merchant_key_path
        self._platform_cert_path = platform_cert_path
        self._apiv3_key = _secret(apiv3_key, apiv3_key_path).encode()
        self.notify_url = notify_url
        self.base_url = base_url or self.base_url
        if not self.base_url.startswith("https://"):
            raise ValueError("the WeChat Pay API is reached over https only")
        self.timeout = timeout
        if len(self._apiv3_key) != 32:
            raise ValueError("the WeChat Pay APIv3 key is 32 bytes")

    # The certificate and key are read when needed, so a rotated file is picked up without a restart.
    def _platform_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(Path(self._platform_cert_path).read_bytes())

    def _merchant_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(Path(self._merchant_key_path).read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the WeChat Pay merchant key must be an RSA key")
        return key

    def notification_parse(self, *, headers: dict[str, str], body: bytes) -> ProviderNotification:
        timestamp = headers.get("Wechatpay-Timestamp", "")
        nonce = headers.get("Wechatpay-Nonce", "")
        certificate = self._platform_certificate()
        serial = headers.get("Wechatpay-Serial", "")
        if serial and serial.upper() != format(certificate.serial_number, "X"):
            raise NoticeRefused("通知所用的平台证书不是本平台配置的证书，已拒收。")
        try:
            signature = base64.b64decode(headers.get("Wechatpay-Signature", ""), validate=True)
            public_key = certificate.public_key()
            assert isinstance(public_key, rsa.RSAPublicKey)
            public_key.verify(
                signature,
                f"{timestamp}\n{nonce}\n".encode() + body + b"\n",
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError) as error:
            raise NoticeRefused("通知签名无效，已拒收。") from error
        _fresh(timestamp)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            plain = AESGCM(self._apiv3_key).decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"]),
                resource.get("associated_data", "").encode(),
            )
            data = json.loads(plain)
        except (KeyError, ValueError, TypeError, InvalidTag) as error:
            raise NoticeRefused("通知内容无法解密或格式不正确。") from error
        event_type = str(envelope.get("event_type", ""))
        if event_type.startswith("REFUND."):
            return ProviderNotification(
                notice_id=str(envelope["id"]),
                kind="refund",
                reference=str(data.get("out_trade_no", "")),
                refund_reference=str(data.get("out_refund_no", "")),
                state=WECHAT_REFUND_STATES.get(str(data.get("refund_status", "")), "error"),
                provider_id=str(data.get("refund_id", "")),
                amount=yuan(int(data.get("amount", {}).get("refund", 0))),
                summary={"event_type": event_type, "refund_status": data.get("refund_status")},
            )
        trade_state = str(data.get("trade_state", ""))
        return ProviderNotification(
            notice_id=str(envelope["id"]),
            kind="payment",
            reference=str(data.get("out_trade_no", "")),
            state=WECHAT_TRADE_STATES.get(trade_state, "error"),
            provider_id=str(data.get("transaction_id", "")),
            amount=yuan(int(data.get("amount", {}).get("total", 0))),
            failure_code=trade_state if trade_state not in {"SUCCESS", "REFUND"} else "",
            summary={"event_type": event_type, "trade_state": trade_state},
        )

    # --- outgoing calls ------------------------------------------------------------------------------------

    def _authorization(self, method: str, path: str, body: str) -> str:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n".encode()
        signature = base64.b64encode(self._merchant_key().sign(message, padding.PKCS1v15(), hashes.SHA256()))
        return (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.merchant_id}",nonce_str="{nonce}",'
            f'timestamp="{timestamp}",serial_no="{self.merchant_serial}",signature="{signature.decode()}"'
        )

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> bytes:
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.base_url + path,
            data=body.encode() if payload is not None else None,
            method=method,
            headers={
                "Authorization": self._authorization(method, path, body),
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": "onewindow",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                return bytes(response.read())
        except OSError as error:
            raise DomainError(
                code="payment.provider_unavailable",
                message="微信支付暂时无法连接，请稍后再试。",
                status=503,
            ) from error

    def checkout(
        self, *, reference: str, amount: Decimal, description: str, expires_at: dt.datetime
    ) -> Checkout:
        answer = json.loads(
            self._call(
                "POST",
                "/v3/pay/transactions/native",
                {
                    "appid": self.app_id,
                    "mchid": self.merchant_id,
                    "description": description[:127],
                    "out_trade_no": reference,
                    "time_expire": expires_at.isoformat(timespec="seconds"),
                    "notify_url": self.notify_url,
                    "amount": {"total": fen(amount), "currency": "CNY"},
                },
            )
        )
        return Checkout(qr_payload=str(answer["code_url"]))

    def refund(self, *, reference: str, refund_reference: str, amount: Decimal, total: Decimal) -> str:
        answer = json.loads(
            self._call(
                "POST",
                "/v3/refund/domestic/refunds",
                {
                    "out_trade_no": reference,
                    "out_refund_no": refund_reference,
                    "notify_url": self.notify_url,
                    "amount": {"refund": fen(amount), "total": fen(total), "currency": "CNY"},
                },
            )
        )
        return str(answer.get("refund_id", ""))

    def statement(self, *, day: dt.date) -> list[StatementLine]:
        bill = json.loads(self._call("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL"))
        download = str(bill["download_url"])
        path = download.removeprefix(self.base_url)
        return wechat_bill_parse(self._call("GET", path).decode("utf-8-sig"))


def wechat_bill_parse(text: str) -> list[StatementLine]:
    """The trade bill CSV: every field starts with a backtick; the summary after the blank-named line is
    skipped. 交易状态 SUCCESS is a charge (商户订单号, 应结订单金额), REFUND a refund (商户退款单号, 退款金额)."""
    lines: list[StatementLine] = []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return lines
    header = [name.strip() for name in rows[0]]
    for row in rows[1:]:
        values = {name: value.strip().lstrip("`") for name, value in zip(header, row, strict=False)}
        if "交易状态" not in values or not values.get("商户订单号"):
            break  # the summary block starts
        if values["交易状态"] == "SUCCESS":
            lines.append(
                StatementLine(
                    kind="charge", reference=values["商户订单号"], amount=Decimal(values["应结订单金额"])
                )
            )
        elif values["交易状态"] == "REFUND":
            lines.append(
                StatementLine(
                    kind="refund", reference=values["商户退款单号"], amount=Decimal(values["退款金额"])
                )
            )
    return lines
