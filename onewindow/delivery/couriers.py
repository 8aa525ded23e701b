"""Courier plug-ins (``settings.ONEWINDOW_PLUGINS["courier"]``): place a parcel order, and turn the courier's
tracking pushes into ``TrackingUpdate`` rows in the normalised status list (``ShipmentStatus``).

``SandboxCourier`` runs inside the platform (tracking numbers ``SBX…``, pushes signed with the platform's
key, advanced from the workbench); ``Kuaidi100Courier`` speaks 快递100's order and push (订阅推送) APIs,
whose pushes carry ``sign = MD5(param + salt)``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.delivery.models import ShipmentStatus


class UpdateRefused(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(code="delivery.update_refused", message=message, status=401)


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    status: str  # ShipmentStatus
    at: dt.datetime
    description: str = ""


class Courier(Protocol):
    name: str
    label: str

    def order(self, *, reference: str, recipient: str, phone: str, address: str, sender_address: str) -> str:
        """Place a pick-up order; the tracking number."""
        ...

    def updates_parse(self, *, headers: dict[str, str], body: bytes) -> list[TrackingUpdate]:
        """Authenticate and read a tracking push; ``UpdateRefused`` when it is not genuine."""
        ...


class SandboxCourier:
    """The quick start's courier: numbers ``SBX…``; the workbench's "next status" button sends its push."""

    name = "sandbox"
    label = "沙箱快递"

    def order(self, *, reference: str, recipient: str, phone: str, address: str, sender_address: str) -> str:
        return f"SBX{clock.now():%y%m%d}{secrets.randbelow(10**8):08d}"

    def _sign(self, body: bytes) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), b"courier\n" + body, hashlib.sha256).hexdigest()

    def push(self, *, tracking_number: str, status: str, description: str) -> tuple[dict[str, str], bytes]:
        body = json.dumps(
            {
                "number": tracking_number,
                "status": status,
                "time": clock.now().isoformat(),
                "context": description,
            },
            ensure_ascii=False,
        ).encode()
        return {"Sandbox-Signature": self._sign(body)}, body

    def updates_parse(self, *, headers: dict[str, str], body: bytes) -> list[TrackingUpdate]:
        if not hmac.compare_digest(self._sign(body), headers.get("Sandbox-Signature", "")):
            raise UpdateRefused("物流推送签名无效，已拒收。")
        try:
            data = json.loads(body)
            return [
                TrackingUpdate(
                    tracking_number=str(data["number"]),
                    status=ShipmentStatus(data["status"]),
                    at=dt.datetime.fromisoformat(data["time"]),
                    description=str(data.get("context", ""))[:300],
                )
            ]
        except (KeyError, ValueError, TypeError) as error:
            raise UpdateRefused("物流推送内容格式不正确。") from error


# 快递100 push ``state`` → normalised status.
KUAIDI100_STATES = {
    "0": ShipmentStatus.IN_TRANSIT,  # 在途
    "1": ShipmentStatus.PICKED_UP,  # 揽收
    "2": ShipmentStatus.EXCEPTION,  # 疑难
    "3": ShipmentStatus.DELIVERED,  # 签收
    "4": ShipmentStatus.RETURNED,  # 退签
    "5": ShipmentStatus.OUT_FOR_DELIVERY,  # 派件
    "6": ShipmentStatus.RETURNED,  # 退回
    "7": ShipmentStatus.IN_TRANSIT,  # 转投
    "8": ShipmentStatus.IN_TRANSIT,  # 清关
    "14": ShipmentStatus.RETURNED,  # 拒签
}


class Kuaidi100Courier:
    """快递100: pick-up orders through 商家寄件 (``bOrder``), tracking through 订阅推送 to our push address."""

    name = "kuaidi100"
    label = "快递100"

    def __init__(
        self, *, key: str, secret: str, salt: str, company: str, callback_url: str, timeout: float = 10.0
    ) -> None:
        self.key, self._secret, self._salt = key, secret, salt
        self.company, self.callback_url, self.timeout = company, callback_url, timeout

    def _post(self, url: str, fields: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (fixed https address)
            url, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (fixed https)
                answer: dict[str, Any] = json.loads(response.read())
        except OSError as error:
            raise DomainError(
                code="delivery.courier_unavailable",
                message="快递公司接口暂时无法连接，请稍后再试。",
                status=503,
            ) from error
        return answer

    def order(self, *, reference: str, recipient: str, phone: str, address: str, sender_address: str) -> str:
        param = json.dumps(
            {
                "kuaidicom": self.company,
                "recManName": recipient,
                "recManMobile": phone,
                "recManPrintAddr": address,
                "sendManPrintAddr": sender_address,
                "callBackUrl": self.callback_url,
                "cargo": "政务服务办理结果",
                "remark": reference,
            },
            ensure_ascii=False,
        )
        stamp = str(int(time.time() * 1000))
        sign = hashlib.md5((param + stamp + self.key + self._secret).encode()).hexdigest().upper()  # noqa: S324 (the API's scheme)
        answer = self._post(
            "https://poll.kuaidi100.com/order/borderapi.do",
            {"method": "bOrder", "key": self.key, "sign": sign, "t": stamp, "param": param},
        )
        if not answer.get("result"):
            raise DomainError(
                code="delivery.courier_refused",
                message=f"快递公司未接受寄件：{answer.get('message', '')}",
                status=502,
            )
        number = str(answer["data"]["kuaidinum"])
        self._post(
            "https://poll.kuaidi100.com/poll",
            {
                "schema": "json",
                "param": json.dumps(
                    {
                        "company": self.company,
                        "number": number,
                        "key": self.key,
                        "parameters": {"callbackurl": self.callback_url, "salt": self._salt, "resultv2": "1"},
                    }
                ),
            },
        )
        return number

    def updates_parse(self, *, headers: dict[str, str], body: bytes) -> list[TrackingUpdate]:
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        param = (fields.get("param") or [""])[0]
        expected = hashlib.md5((param + self._salt).encode()).hexdigest().upper()  # noqa: S324 (the API's scheme)
        if not hmac.compare_digest(expected, (fields.get("sign") or [""])[0].upper()):
            raise UpdateRefused("物流推送签名无效，已拒收。")
        try:
            result = json.loads(param)["lastResult"]
            state = KUAIDI100_STATES.get(str(result["state"]), ShipmentStatus.IN_TRANSIT)
            latest = result["data"][0]  # newest first
            at = dt.datetime.fromisoformat(latest["ftime"]).replace(tzinfo=timezone.get_default_timezone())
            return [
                TrackingUpdate(
                    tracking_number=str(result["nu"]),
                    status=state,
                    at=at,
                    description=str(latest["context"])[:300],
                )
            ]
        except (KeyError, ValueError, TypeError, IndexError) as error:
            raise UpdateRefused("物流推送内容格式不正确。") from error
