"""Checking an uploaded material before anything is stored: size, type from the bytes, virus scan."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from onewindow.core.errors import DomainError
from onewindow.core.plugins import plugin

ACCEPTED_FORMATS = "PDF、OFD、JPEG、PNG"
# Names for the refusal message: the applicant learns what the file really is.
_KNOWN_OTHERS = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"GIF8", "GIF 图片"),
)


# The stored file's extension follows the detected type, so storage backends serve it with the right type.
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "application/ofd": ".ofd"}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with what was learnt from its bytes."""

    content_type: str
    size: int
    sha256: str


def upload_max_bytes() -> int:
    return int(settings.ONEWINDOW_UPLOAD_MAX_BYTES)


def content_type_sniff(data: IO[bytes]) -> str | None:
    """The type the bytes say (PDF, JPEG, PNG, OFD), or None. The file name and the browser's claim are
    never consulted: both are chosen by whoever uploads."""
    data.seek(0)
    head = data.read(16)
    data.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04") and _is_ofd(data):
        return "application/ofd"
    return None


def _is_ofd(data: IO[bytes]) -> bool:
    # OFD (GB/T 33190) is a ZIP whose entry point is OFD.xml at the root; any other ZIP (docx, apk…) is not.
    try:
        with zipfile.ZipFile(data) as archive:
            return "OFD.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        data.seek(0)


def upload_check(upload: Any) -> CheckedUpload:
    """Refuse an upload that is empty, too large, of a type not accepted, or infected; nothing is stored."""
    size = int(upload.size or 0)
    limit = upload_max_bytes()
    if size == 0:
        raise DomainError(code="upload_empty", message="上传的文件是空的，请重新选择文件。")
    if size > limit:
        raise DomainError(
            code="upload_too_large",
            message=f"文件大小为 {size / 1048576:.1f} MB，超过了 {limit / 1048576:.0f} MB 的上限，请压缩或分页后再上传。",
            status=413,
        )
    content_type = content_type_sniff(upload)
    if content_type is None:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        what = next((label for magic, label in _KNOWN_OTHERS if head.startswith(magic)), "")
        seen = f"（该文件实际是{what}）" if what else ""
        raise DomainError(
            code="upload_type_not_allowed",
            message=f"文件格式不受支持{seen}。请上传 {ACCEPTED_FORMATS} 格式的文件；不能仅修改文件扩展名。",
            status=415,
        )
    verdict = plugin("virus_scanner").scan(name=str(upload.name), data=upload)
    if not verdict.clean:
        raise DomainError(
            code="upload_infected",
            message="文件未通过病毒扫描，已拒绝接收。请用杀毒软件检查后，上传干净的文件。",
            status=422,
        )
    return CheckedUpload(content_type=content_type, size=size, sha256=upload_sha256(upload))


def upload_sha256(upload: Any) -> str:
    """The SHA-256 of an uploaded file's bytes (hex), read in chunks; the file is left rewound."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
