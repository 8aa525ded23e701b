"""Model fields shared by several apps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from django.db import models

from onewindow.core import crypto


@runtime_checkable
class KeyRingField(Protocol):
    """A field whose stored values are ciphertexts under the key ring: ``onewindow personal_data_rekey``
    re-encrypts every row holding one under an older key (by saving it again). A protocol, not a base
    class: Django copies fields by reassigning ``__class__``, which an ABC's layout refuses."""

    def stored_key_ids(self, raw: Any) -> set[str]:
        """The ids of the keys that encrypted this raw column value (as the database returns it)."""
        ...


class EncryptedTextField(models.TextField):
    """Text stored SM4-GCM encrypted (core.crypto); Python code sees plain text.

    The column cannot be filtered or ordered on: pair it with a lookup-hash column for exact matches.
    ``purpose`` is bound into the ciphertext; it defaults to ``<app_label>.<model>.<field>``.
    """

    def __init__(self, *args: Any, purpose: str = "", **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not self.purpose:
            self.purpose = f"{cls._meta.label_lower}.{name}"

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        model = getattr(self, "model", None)
        if self.purpose and (model is None or self.purpose != f"{model._meta.label_lower}.{self.name}"):
            kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def stored_key_ids(self, raw: Any) -> set[str]:
        return {crypto.ciphertext_key_id(raw)} if raw else set()

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value, purpose=self.purpose)
