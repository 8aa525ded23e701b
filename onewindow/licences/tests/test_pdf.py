"""The licence PDF: A4, the face fields, the issuer's seal, the identifier and key, a QR code of the short
verification link, and the 108号 watermark on every page of a copy. Text is read back from the PDF bytes
themselves (the fonts' ToUnicode maps), not from the HTML it was drawn from."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from django.conf import settings

from onewindow.core import clock
from onewindow.licences.models import LicenceStatus
from onewindow.licences.pdf import (
    licence_html,
    licence_pdf,
    licence_pdf_filename,
    licence_verify_url,
    watermark_text,
)
from onewindow.licences.seal import SEAL_RED, seal_svg
from onewindow.licences.selectors import licence_get_by_short
from onewindow.licences.tests.factories import licence_issued, licence_type

pytestmark = pytest.mark.django_db

FACE_FIELDS = [
    {"key": "business_scope", "label": "经营范围", "source": "form.business_scope"},
    {"key": "address", "label": "经营场所", "source": "form.address"},
    {"key": "manager", "label": "食品安全管理人员", "source": "form.manager"},
]
FACE = {
    "business_scope": "热食类食品制售、自制饮品制售",
    "address": "福州市鼓楼区五四路1号",
    "manager": "郑丽",
}
SERVICE = "食品经营许可（变更、延续）"


# --- reading text back from a WeasyPrint PDF ----------------------------------------------------------------

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary, decoded stream), objects packed in object streams included."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(pdf):
        number, body = int(match.group(1)), match.group(2)
        stream = _STREAM.match(body)
        if stream is None:
            objects[number] = (body, None)
            continue
        head, data = stream.groups()
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        objects[number] = (head, data)
        if b"/ObjStm" in head:
            first_match = re.search(rb"/First (\d+)", head)
            assert first_match is not None
            first = int(first_match.group(1))
            header = data[:first].split()
            pairs = [(int(header[i]), int(header[i + 1])) for i in range(0, len(header), 2)]
            for index, (inner, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[inner] = (data[first + offset : first + end], None)
    return objects


def _to_unicode(data: bytes) -> dict[str, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[src.decode().lower()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            width, start = len(low), int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[f"{code:0{width}x}"] = chr(start + offset)
    return mapping


def _fonts(objects: dict[int, tuple[bytes, bytes | None]]) -> dict[bytes, dict[str, str]]:
    fonts = {}
    for head, _data in objects.values():
        tables = re.findall(rb"/Font\s*<<(.*?)>>", head, re.S)
        tables += [objects.get(int(ref), (b"", None))[0] for ref in re.findall(rb"/Font (\d+) 0 R", head)]
        for table in tables:
            for name, ref in re.findall(rb"/([^\s/<>]+)\s+(\d+) 0 R", table):
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(ref), (b"", None))[0])
                if to_unicode:
                    fonts[name] = _to_unicode(objects[int(to_unicode.group(1))][1] or b"")
    return fonts


def _stream_text(data: bytes, fonts: dict[bytes, dict[str, str]]) -> str:
    words, current = [], {}
    for token in re.finditer(rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>|(ET|T\*|Td|TD)", data):
        if token.group(1) is not None:
            current = fonts.get(token.group(1), {})
        elif token.group(2) is not None:
            hexa = token.group(2).decode().lower()
            width = len(next(iter(current), "0000"))
            words.append("".join(current.get(hexa[i : i + width], "") for i in range(0, len(hexa), width)))
        else:
            words.append(" ")
    return "".join(words)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, in order (whitespace removed: glyph runs break anywhere)."""
    objects = _objects(pdf)
    fonts = _fonts(objects)
    kids = re.search(rb"/Type /Pages/Kids \[([^\]]*)\]", b"".join(head for head, _ in objects.values()))
    assert kids is not None
    pages = []
    for ref in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(ref)][0])
        assert contents is not None
        pages.append("".join(_stream_text(objects[int(contents.group(1))][1] or b"", fonts).split()))
    return pages


def squeezed(text: str) -> str:
    return "".join(text.split())


# --- the licence ----------------------------------------------------------------------------------------------


@pytest.fixture
def food_type(department_a):
    return licence_type(department_a, face_fields=FACE_FIELDS)


@pytest.fixture
def licence(food_type):
    return licence_issued(licence_type=food_type, face=FACE)


def test_the_pdf_is_a4_and_shows_the_licence(licence):
    pdf = licence_pdf(licence)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    heads = b"".join(head for head, _ in _objects(pdf).values())
    assert re.search(rb"/MediaBox \[0 0 595\.\d+ 841\.\d+\]", heads), "A4 portrait"
    [page] = pdf_pages(pdf)
    for shown in (
        licence.licence_type.name,
        licence.number,
        licence.holder_name,
        licence.holder_code,
        *FACE.values(),
        "经营范围",
        "食品安全管理人员",
        licence.issuer.name,
        licence.issuer.credit_code,
        licence.identifier,
        licence.signing_key.key_id,
        f"{licence.issued_on.year}年{licence.issued_on.month}月{licence.issued_on.day}日",
        f"{licence.valid_until.year}年{licence.valid_until.month}月{licence.valid_until.day}日",
        licence_verify_url(licence),
    ):
        assert squeezed(shown) in page, shown
    assert squeezed(watermark_text(licence, copy_for=SERVICE, valid_until=licence.valid_until)) not in page


def test_the_qr_code_holds_the_short_verification_link(licence):
    url = licence_verify_url(licence)
    base = settings.ONEWINDOW_PUBLIC_BASE_URL
    assert url.startswith(f"{base}/v/") and url.endswith("/") and len(url) - len(base) <= 30
    code = url.removeprefix(f"{base}/v/").rstrip("/")
    assert licence_get_by_short(code) == licence
    # segno draws the code as inline SVG titled with its content; the PDF also links the code to the URL.
    html = licence_html(licence)
    assert f"<title>{url}</title>" in html
    assert f"/URI ({url})".encode() in b"".join(head for head, _ in _objects(licence_pdf(licence)).values())


def test_the_issuers_seal_is_drawn_from_its_name(licence):
    html = licence_html(licence)
    assert 'class="licence-seal"' in html and SEAL_RED in html
    seal = seal_svg(licence.issuer.name)
    assert all(f">{char}</text>" in seal for char in licence.issuer.name)


def test_the_seal_escapes_what_it_draws():
    seal = seal_svg("<b>&局", purpose="<i>")
    assert "<b>" not in seal and "<i>" not in seal and "&lt;" in seal and "&amp;" in seal


def test_a_copy_carries_the_108_watermark_on_every_page(food_type):
    long_scope = "、".join(
        f"第{n}项经营项目（含预包装食品销售、散装食品销售、特殊食品销售）" for n in range(60)
    )
    licence = licence_issued(licence_type=food_type, face=FACE | {"business_scope": long_scope})
    until = clock.today() + dt.timedelta(days=30)
    pages = pdf_pages(licence_pdf(licence, copy_for=SERVICE, copy_valid_until=until))
    assert len(pages) >= 2
    mark = squeezed(watermark_text(licence, copy_for=SERVICE, valid_until=until))
    assert (
        licence.issuer.name in mark
        and SERVICE in mark
        and f"{until.year}年{until.month}月{until.day}日" in mark
    )
    for page in pages:
        assert page.count(mark) >= 3


def test_a_copy_is_never_valid_longer_than_the_licence(licence):
    later = licence.valid_until + dt.timedelta(days=400)
    html = licence_html(licence, copy_for=SERVICE, copy_valid_until=later)
    end = licence.valid_until
    assert f"{end.year}年{end.month}月{end.day}日" in html
    assert f"{later.year}年{later.month}月{later.day}日" not in html
    # Without a date the copy runs to the licence's own expiry.
    assert watermark_text(licence, copy_for=SERVICE, valid_until=end) in licence_html(
        licence, copy_for=SERVICE
    )


def test_a_long_term_licence_prints_without_an_end_date(department_a):
    long_term = licence_type(department_a, face_fields=FACE_FIELDS, validity_years=None)
    licence = licence_issued(licence_type=long_term, face=FACE)
    assert licence.valid_until is None
    [page] = pdf_pages(licence_pdf(licence))
    assert licence.number in page


def test_a_licence_no_longer_valid_says_so(licence, department_a):
    type(licence).objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    licence.refresh_from_db()
    html = licence_html(licence)
    assert 'class="status"' in html and str(LicenceStatus.REVOKED.label) in html


def test_the_file_name_reads_as_the_licence(licence):
    assert licence_pdf_filename(licence) == f"{licence.licence_type.name}-{licence.number}.pdf"
    assert licence_pdf_filename(licence, copy=True).endswith("-复印件.pdf")


def test_the_licence_and_the_case_notices_share_one_qr_helper():
    from onewindow.cases import notices
    from onewindow.core.qr import qr_svg
    from onewindow.licences import pdf

    svg = qr_svg("https://example.test/v/abc/")
    assert svg.startswith("<svg") and "https://example.test/v/abc/" in svg
    assert notices._qr_svg is qr_svg and pdf.qr_svg is qr_svg
