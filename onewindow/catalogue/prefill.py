"""Prefilling application forms (避免重复录入, 国办发〔2018〕45号): what the platform already knows about the
applicant — the profile, the company they act for, the face fields of their e-licences — goes into the form
so that nobody types their ID number again.

Each known value has a source name: ``person.name``, ``person.id_number``, ``person.phone``,
``person.address``; ``company.name``, ``company.credit_code``, ``company.legal_representative``; and
``licence.<type code>.<face field>`` for every valid licence of the applicant (supplied by the licences app,
which sits above the catalogue, through ``prefill_provider_register``).

A form field takes a source named in its UI hints (``form_ui["prefill"] = {"field": "person.phone"}``, the
explicit override), else the source its name stands for (``FIELD_SOURCES``: ``id_number`` → the ID number,
``credit_code`` → the company's code …), else a licence face field of the same name (``baby_name`` from the
出生医学证明). Only empty top-level fields are filled: what the applicant typed always wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onewindow.identity.models import Company
from onewindow.identity.selectors import principal_for_user

# Field names the national and provincial form templates use, and the source each stands for.
FIELD_SOURCES: dict[str, str] = {
    "applicant_name": "person.name",
    "name": "person.name",
    "applicantName": "person.name",
    "id_number": "person.id_number",
    "applicant_id_number": "person.id_number",
    "mobile": "person.phone",
    "phone": "person.phone",
    "applicant_mobile": "person.phone",
    "contact_mobile": "person.phone",
    "address": "person.address",
    "postal_address": "person.address",
    "company_name": "company.name",
    "credit_code": "company.credit_code",
    "legal_representative": "company.legal_representative",
    "contact_name": "person.name",
}
# Forms filed for a company: its address, not the agent's home, is what "address" asks for. The company
# register keeps none for us yet, so the field stays empty rather than take the agent's.
COMPANY_FIELD_SOURCES = FIELD_SOURCES | {"address": "company.address", "postal_address": "company.address"}
# The hint spelling before sources had names.
LEGACY_SOURCES = {"user.name": "person.name"}

PrefillProvider = Callable[..., dict[str, str]]
_providers: list[PrefillProvider] = []


def prefill_provider_register(provider: PrefillProvider) -> None:
    """Add ``provider(person=, company=) -> {source: value}`` (the licences app registers its face fields)."""
    if provider not in _providers:
        _providers.append(provider)


def prefill_sources(*, user: Any, company: Company | None = None) -> dict[str, str]:
    """Every value the platform knows about the signed-in applicant (and the company they act for)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    sources: dict[str, str] = {"person.name": str(getattr(user, "name", "") or "").strip()}
    person = principal_for_user(user).person
    if person is not None:
        sources |= {
            "person.id_number": person.id_number or "",
            "person.phone": person.phone or "",
            "person.address": person.postal_address or "",
        }
    if company is not None:
        sources |= {
            "company.name": company.name,
            "company.credit_code": company.credit_code,
            "company.legal_representative": company.legal_representative_name,
        }
    for provider in _providers:
        for source, value in provider(person=person, company=company).items():
            sources.setdefault(source, value)
    return {source: value for source, value in sources.items() if value}


def _licence_face(sources: dict[str, str], name: str) -> str:
    for source, value in sources.items():
        if source.startswith("licence.") and source.rsplit(".", 1)[-1] == name:
            return value
    return ""


def prefill_values(
    schema: dict[str, Any], ui: dict[str, Any] | None, sources: dict[str, str], *, for_company: bool = False
) -> dict[str, Any]:
    """The form's top-level fields that a source can fill (see the module docstring)."""
    hints = (ui or {}).get("prefill")
    explicit = hints if isinstance(hints, dict) else {}
    by_name = COMPANY_FIELD_SOURCES if for_company else FIELD_SOURCES
    data: dict[str, Any] = {}
    for name, sub in ((schema or {}).get("properties") or {}).items():
        if (sub or {}).get("type") not in (None, "string"):
            continue
        source = explicit.get(name)
        source = LEGACY_SOURCES.get(source, source) if isinstance(source, str) else by_name.get(name)
        value = sources.get(source, "") if source else ""
        if not value and name not in explicit:
            value = _licence_face(sources, name)
        if value and _allowed(sub or {}, value):
            data[name] = value
    return data


def _allowed(schema: dict[str, Any], value: str) -> bool:
    # A value the field cannot take (not among its choices) is left for the applicant to pick.
    choices = schema.get("enum")
    return choices is None or value in choices


def form_prefill_for(
    *, schema: dict[str, Any], ui: dict[str, Any] | None, user: Any, company: Company | None = None
) -> dict[str, Any]:
    """The prefilled values of one form for the signed-in applicant."""
    return prefill_values(
        schema, ui, prefill_sources(user=user, company=company), for_company=company is not None
    )
