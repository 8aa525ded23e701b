"""An item's application form: its JSON Schema (with UI hints) turned into form fields, posted data turned back
into typed JSON, and validation errors turned into Chinese messages a citizen can act on.

Pure functions, no database: the portal's fill-in page uses them now and case submission will reuse them.

Supported schema: an object whose properties are ``string`` (``format`` date / email, ``pattern``,
``minLength`` / ``maxLength``), ``number`` / ``integer`` (``minimum`` / ``maximum``), ``boolean`` (``const:
true`` for a pledge that must be ticked), a choice (``enum``, or ``oneOf`` of ``{const, title}``), an
``array`` of such simple values, or a nested ``object`` (shown as a fieldset). ``title`` is the label,
``description`` the help text, ``examples[0]`` the value shown on the filled sample.

UI hints (``form_ui``), every key optional; both spellings work, so hints written for react-jsonschema-form
carry over::

    {"order": ["name", "id_number"],            # or "ui:order", per object
     "widgets": {"address": "textarea"},        # or {"address": {"ui:widget": "textarea"}}
     "help": {"id_number": "18 位身份证号码"},  # or {"id_number": {"ui:help": "..."}}
     "prefill": {"name": "user.name"},          # fields filled from the signed-in user
     "sections": [{"title": "申请人信息", "fields": ["name", "id_number"]}]}  # top-level fieldsets

Nested fields are named with dots (``agent.name``); hints for them use the same dotted names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from onewindow.catalogue.form_personal import FORMAT_ATTRS, FORMAT_CHECKER
from onewindow.core.errors import DomainError

# Widgets a hint may choose; anything else falls back to the type's default.
WIDGETS = {"text", "textarea", "radio", "select", "checkboxes", "lines", "date", "email", "tel"}
# When the hints name no prefill, these fields take the signed-in user's name.
DEFAULT_NAME_FIELDS = ("applicant_name", "applicant.name", "applicantName")


@dataclass
class FormField:
    """One field (or fieldset) of a rendered form, with its current value and error messages."""

    name: str
    label: str
    kind: str
    required: bool = False
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[FormField] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def html_id(self) -> str:
        return "f-" + re.sub(r"[^0-9A-Za-z_-]", "-", self.name)

    @property
    def values(self) -> list[str]:
        """The value as a list of strings, for multi-choice and one-per-line widgets."""
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [] if self.value in (None, "") else [str(self.value)]

    @property
    def text(self) -> str:
        """The value as one string for an input (lines joined for the one-per-line widget)."""
        if self.kind == "lines":
            return "\n".join(self.values)
        return "" if self.value is None else str(self.value)

    @property
    def display(self) -> str:
        """The value as printed on a filled form: choice titles, 是/否 for yes/no."""
        if self.kind == "checkbox":
            return "" if self.value is None else ("是" if self.value else "否")
        labels = dict(self.choices)
        return "、".join(labels.get(v, v) for v in self.values)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(child.has_errors for child in self.children)


def _hint(ui: dict[str, Any], path: str, short: str, rjsf: str) -> Any:
    """A hint for one field, in either spelling (see the module docstring)."""
    value = (ui.get(short) or {}).get(path) if isinstance(ui.get(short), dict) else None
    if value is None:
        node: Any = ui
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            value = node.get(rjsf)
    return value


def _choices(schema: dict[str, Any]) -> list[tuple[str, str]]:
    if "enum" in schema:
        names = schema.get("enumNames") or []
        return [(str(v), str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(schema["enum"])]
    if "oneOf" in schema and all("const" in option for option in schema["oneOf"]):
        return [(str(o["const"]), str(o.get("title", o["const"]))) for o in schema["oneOf"]]
    return []


def _ordered(properties: dict[str, Any], order: list[str] | None) -> list[str]:
    names = list(properties)
    if not order:
        return names
    known = [name for name in order if name in properties]
    return known + [name for name in names if name not in known]


def _kind(schema: dict[str, Any], widget: str | None) -> str:
    kind_of = schema.get("type")
    if kind_of == "object":
        return "fieldset"
    if kind_of == "array":
        items = schema.get("items") or {}
        return "checkboxes" if _choices(items) else "lines"
    if _choices(schema):
        return "radio" if widget == "radio" else "select"
    if kind_of == "boolean":
        return "checkbox"
    if kind_of in ("number", "integer"):
        return kind_of
    if schema.get("format") in ("date", "email"):
        return schema["format"]
    if schema.get("format") == "mobile" and widget in (None, "tel"):
        return "tel"
    if widget in WIDGETS and widget not in {"radio", "select", "checkboxes", "lines"}:
        return widget
    if (schema.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def _attrs(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, attr in (("minLength", "minlength"), ("maxLength", "maxlength"), ("pattern", "pattern")):
        if key in schema and kind in {"text", "textarea", "tel", "email"}:
            attrs[attr] = schema[key]
    for key, attr in (("minimum", "min"), ("maximum", "max")):
        if key in schema and kind in {"number", "integer"}:
            attrs[attr] = schema[key]
    if kind == "number":
        attrs["step"] = "any"
    if kind in {"text", "tel"}:
        attrs = FORMAT_ATTRS.get(str(schema.get("format")), {}) | attrs
    return attrs


def schema_to_fields(
    schema: dict[str, Any],
    ui: dict[str, Any] | None = None,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    prefix: str = "",
) -> list[FormField]:
    """The form's fields in display order, bound to ``data`` and ``errors`` when given."""
    ui, data, errors = ui or {}, data or {}, errors or {}
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    order = ui.get("order") if not prefix else None
    if not order:
        order = _hint(ui, prefix.rstrip("."), "", "ui:order") if prefix else ui.get("ui:order")
    fields = []
    for name in _ordered(properties, order):
        sub = properties[name] or {}
        path = f"{prefix}{name}"
        widget = _hint(ui, path, "widgets", "ui:widget")
        kind = _kind(sub, widget)
        value = data.get(name) if isinstance(data, dict) else None
        form_field = FormField(
            name=path,
            label=str(sub.get("title") or name),
            kind=kind,
            required=name in required,
            help=str(_hint(ui, path, "help", "ui:help") or sub.get("description") or ""),
            choices=_choices(sub.get("items") or {}) if kind == "checkboxes" else _choices(sub),
            attrs=_attrs(sub, kind),
            value=value,
            errors=list(errors.get(path, [])),
        )
        if kind == "fieldset":
            form_field.children = schema_to_fields(
                sub, ui, data=value if isinstance(value, dict) else {}, errors=errors, prefix=f"{path}."
            )
        fields.append(form_field)
    return fields if prefix else _in_sections(fields, ui.get("sections") or [])


def _in_sections(fields: list[FormField], sections: list[dict[str, Any]]) -> list[FormField]:
    """Top-level fields gathered into the hints' titled sections; fields no section names come last."""
    grouped: list[FormField] = []
    used: set[str] = set()
    for number, section in enumerate(sections, start=1):
        names = set(section.get("fields") or []) - used
        children = [f for f in fields if f.name in names]
        used |= {f.name for f in children}
        if children:
            title = str(section.get("title") or "")
            grouped.append(
                FormField(name=f"section-{number}", label=title, kind="fieldset", children=children)
            )
    return grouped + [f for f in fields if f.name not in used]


def _convert(schema: dict[str, Any], raw: str) -> Any:
    """A posted string as the schema's type; left as the string when it does not parse, so validation
    reports it in words."""
    kind_of = schema.get("type")
    if kind_of is None and _choices(schema):
        consts = [o.get("const") for o in schema.get("oneOf", [])] or schema.get("enum", [])
        kind_of = {bool: "boolean", int: "integer", float: "number"}.get(type(consts[0]), "string")
    try:
        if kind_of == "integer":
            return int(raw)
        if kind_of == "number":
            number = float(raw)
            return int(number) if number.is_integer() and "." not in raw else number
    except ValueError:
        return raw
    return raw


def form_data_from_post(schema: dict[str, Any], post: Any, *, prefix: str = "") -> dict[str, Any]:
    """The posted form (a QueryDict or a plain dict) as JSON data matching the schema; blanks are left out
    so that ``required`` catches them."""

    def getlist(name: str) -> list[str]:
        if hasattr(post, "getlist"):
            return post.getlist(name)
        value = post.get(name)
        return value if isinstance(value, list) else ([] if value is None else [value])

    data: dict[str, Any] = {}
    for name, sub in (schema.get("properties") or {}).items():
        sub = sub or {}
        path = f"{prefix}{name}"
        kind_of = sub.get("type")
        if kind_of == "object":
            nested = form_data_from_post(sub, post, prefix=f"{path}.")
            if nested or name in (schema.get("required") or []):
                data[name] = nested
        elif kind_of == "array":
            items = sub.get("items") or {}
            raw_values = getlist(path)
            if not _choices(items):
                raw_values = [line for value in raw_values for line in str(value).splitlines()]
            values = [_convert(items, v.strip()) for v in raw_values if str(v).strip()]
            if values:
                data[name] = values
        elif kind_of == "boolean":
            data[name] = str(post.get(path, "")).strip() in {"on", "true", "1", "yes"}
        else:
            raw = str(post.get(path, "") or "").strip()
            if raw:
                data[name] = _convert(sub, raw)
    return data


def form_sample_data(schema: dict[str, Any]) -> dict[str, Any]:
    """The filled sample (示范文本): each field's first example, else its fixed value or default."""
    data: dict[str, Any] = {}
    for name, sub in (schema.get("properties") or {}).items():
        sub = sub or {}
        if sub.get("type") == "object":
            data[name] = form_sample_data(sub)
        elif sub.get("examples"):
            data[name] = sub["examples"][0]
        elif "const" in sub:
            data[name] = sub["const"]
        elif "default" in sub:
            data[name] = sub["default"]
    return data


def form_prefill(ui: dict[str, Any] | None, user: Any) -> dict[str, Any]:
    """Values taken from the signed-in user, as nested form data."""
    name = str(getattr(user, "name", "") or "").strip() if getattr(user, "is_authenticated", False) else ""
    if not name:
        return {}
    targets = (ui or {}).get("prefill") or {path: "user.name" for path in DEFAULT_NAME_FIELDS}
    data: dict[str, Any] = {}
    for path, source in targets.items():
        if source != "user.name":
            continue
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = name
    return data


_TYPE_WORDS = {
    "string": "文字",
    "number": "数字",
    "integer": "整数",
    "boolean": "是或否",
    "array": "列表",
    "object": "一组信息",
}


def _label(schema: dict[str, Any], path: list[Any]) -> str:
    node = schema
    label = ""
    for part in path:
        if isinstance(part, int):
            node = node.get("items") or {}
            continue
        node = (node.get("properties") or {}).get(part) or {}
        label = str(node.get("title") or part)
    return label or "该项"


def _message(error: jsonschema.ValidationError, label: str) -> str:
    value = error.validator_value
    messages = {
        "type": f"{label}应填写{_TYPE_WORDS.get(str(value), '正确的内容')}。",
        "minLength": f"{label}至少填写 {value} 个字。",
        "maxLength": f"{label}最多填写 {value} 个字。",
        "pattern": f"{label}的格式不正确，请核对后重新填写。",
        "minimum": f"{label}不能小于 {value}。",
        "maximum": f"{label}不能大于 {value}。",
        "exclusiveMinimum": f"{label}必须大于 {value}。",
        "exclusiveMaximum": f"{label}必须小于 {value}。",
        "enum": f"请从给出的选项中选择{label}。",
        "oneOf": f"请从给出的选项中选择{label}。",
        "const": f"请确认并勾选“{label}”。",
        "minItems": f"{label}至少填写 {value} 项。",
        "maxItems": f"{label}最多填写 {value} 项。",
        "uniqueItems": f"{label}中有重复的内容。",
        "format": {
            "date": f"{label}请按“年-月-日”填写，如 1990-01-31。",
            "email": f"{label}不是有效的电子邮箱地址。",
        }.get(str(value), f"{label}的格式不正确。"),
    }
    return messages.get(str(error.validator), f"{label}填写有误，请核对。")


FORM_INVALID = "form_invalid"


@dataclass(frozen=True)
class FormProblem:
    """One problem with posted form data: the field's dotted name, a stable code and a Chinese message."""

    name: str
    code: str
    message: str


def _code(error: jsonschema.ValidationError) -> str:
    if error.validator == "format" and isinstance(error.cause, DomainError):
        return error.cause.code  # citizen_id.checksum, credit_code.checksum, phone.invalid …
    return FORM_INVALID


def form_problems(schema: dict[str, Any], data: dict[str, Any]) -> list[FormProblem]:
    """Every problem with the data, each with the field's dotted name (a problem inside a list is reported
    on the list's field), a stable code (``form_invalid``, or the identifier's: ``citizen_id.checksum`` …) and a message."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    problems: list[FormProblem] = []

    def add(path: list[Any], code: str, message: str) -> None:
        name = ".".join(str(p) for p in path if not isinstance(p, int)) or "__all__"
        if not any(p.name == name and p.message == message for p in problems):
            problems.append(FormProblem(name=name, code=code, message=message))

    for error in validator.iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for missing in error.validator_value:
                if missing not in error.instance:
                    label = _label(schema, [*path, missing])
                    add([*path, missing], FORM_INVALID, f"请填写{label}。")
            continue
        label = _label(schema, path)
        if error.validator == "format" and isinstance(error.cause, DomainError):
            # The check names the problem (length, birth date, check character); the label names the field.
            add(path, _code(error), f"{label}有误：{error.cause.message}")
            continue
        add(path, _code(error), _message(error, label))
    return problems


def form_errors(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem with the data, as Chinese messages keyed by the field's dotted name (an empty dict
    means the data is valid)."""
    errors: dict[str, list[str]] = {}
    for problem in form_problems(schema, data):
        errors.setdefault(problem.name, []).append(problem.message)
    return errors
