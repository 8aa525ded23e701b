"""How much an application form may hold: each text and list as long as the item's JSON Schema allows
(``maxLength`` / ``maxItems``, or a platform default where the schema is silent), and the whole form no more
than a fixed size. Checked on every save, drafts included: a draft is stored as it is typed."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from onewindow.core.errors import DomainError, FieldProblem


def form_size_check(*, schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    """Refuse a form that is too large overall (413) or has a field longer than allowed (400)."""
    size = len(json.dumps(data, ensure_ascii=False).encode("utf-8", "replace"))
    limit = int(settings.ONEWINDOW_FORM_MAX_BYTES)
    if size > limit:
        raise DomainError(
            code="form_too_large",
            message=f"申请表内容过多（{size / 1024:.0f} KB），超过了 {limit / 1024:.0f} KB 的上限。请精简填写内容，较长的说明请作为材料上传。",
            status=413,
        )
    problems: list[FieldProblem] = []
    _walk(schema or {}, data, "", problems)
    if problems:
        raise DomainError(
            code="form_field_too_long",
            message="申请表中有内容超过了允许的长度，请按提示修改。",
            problems=problems,
        )


def _walk(schema: dict[str, Any], value: Any, path: str, problems: list[FieldProblem]) -> None:
    title = str(schema.get("title") or path or "申请表")
    if isinstance(value, str):
        limit = _limit(schema, "maxLength", settings.ONEWINDOW_FORM_FIELD_MAX_LENGTH)
        if len(value) > limit:
            problems.append(
                FieldProblem(
                    field=path,
                    code="too_long",
                    message=f"“{title}”最多填写 {limit} 个字符，当前为 {len(value)} 个。",
                )
            )
    elif isinstance(value, list):
        limit = _limit(schema, "maxItems", settings.ONEWINDOW_FORM_FIELD_MAX_ITEMS)
        if len(value) > limit:
            problems.append(
                FieldProblem(
                    field=path, code="too_many", message=f"“{title}”最多 {limit} 项，当前为 {len(value)} 项。"
                )
            )
            return
        items = schema.get("items")
        for index, entry in enumerate(value):
            _walk(items if isinstance(items, dict) else {}, entry, f"{path}[{index}]", problems)
    elif isinstance(value, dict):
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        for key, entry in value.items():
            child = properties.get(key)
            _walk(
                child if isinstance(child, dict) else {},
                entry,
                f"{path}.{key}" if path else str(key),
                problems,
            )


def _limit(schema: dict[str, Any], keyword: str, default: int) -> int:
    declared = schema.get(keyword)
    return int(declared) if isinstance(declared, int) and declared >= 0 else int(default)
