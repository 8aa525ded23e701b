"""The payment receipt as a PDF with the fields of a 财政电子票据 (non-tax revenue e-receipt): 票据代码,
票据号码, 校验码, 交款人, 项目编码 / 名称, 金额, 收款单位, 开票日期 — drawn like the case notices (WeasyPrint,
CJK fonts, a QR code to the case's public tracking page)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.safestring import mark_safe

from onewindow.cases.notices import tracking_url
from onewindow.catalogue.pdf import pdf_render
from onewindow.core.qr import qr_svg
from onewindow.payments.models import PaymentOrder

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿"]


def amount_in_words(amount: Decimal) -> str:
    """人民币大写 as receipts print it: 壹佰贰拾元整, 壹拾元伍角."""
    fen_total = int((amount * 100).to_integral_value())
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    words = ""
    if yuan:
        section, parts = 0, list[str]()
        while yuan:
            chunk, yuan = yuan % 10000, yuan // 10000
            text, zero = "", False
            for position in range(4):
                digit = chunk // 10**position % 10
                if digit:
                    text = _DIGITS[digit] + _UNITS[position] + ("零" if zero and text else "") + text
                    zero = False
                else:
                    zero = True
            parts.insert(0, (text + _SECTIONS[section]) if text else "")
            section += 1
        words = "".join(parts).strip("零") + "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    return words


def receipt_context(order: PaymentOrder) -> dict[str, object]:
    fee = order.fee
    lines = [line for line in fee.lines if Decimal(line["amount"]) - Decimal(line.get("waived") or "0") > 0]
    for line in lines:
        line["charged"] = Decimal(line["amount"]) - Decimal(line.get("waived") or "0")
    return {
        "order": order,
        "fee": fee,
        "case": fee.case,
        "lines": lines,
        "amount_words": amount_in_words(order.amount),
        "qr": mark_safe(qr_svg(tracking_url(fee.case))) if fee.case.number else "",  # noqa: S308 (segno SVG)
    }


def receipt_pdf(order: PaymentOrder) -> bytes:
    return pdf_render("payments/pdf/receipt.html", receipt_context(order))


def receipt_filename(order: PaymentOrder) -> str:
    return f"缴费票据-{order.receipt_code}-{order.receipt_number}.pdf"
