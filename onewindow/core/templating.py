"""Django's template engine, made unable to fail on text that cannot be encoded.

A lone UTF-16 surrogate stored before input was checked (core.input_middleware) would make every page that
shows it fail with a 500 when the response is encoded as UTF-8. Rendered pages replace such characters with
U+FFFD (�) instead, so the record stays readable and correctable.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, reraise
from django.template.backends.django import Template as DjangoTemplate

from onewindow.core.unicode_text import text_repair


class RobustTemplate(DjangoTemplate):
    def render(self, context: dict[str, Any] | None = None, request: HttpRequest | None = None) -> str:
        return text_repair(super().render(context, request))


class RobustDjangoTemplates(DjangoTemplates):
    """The Django template backend whose output is always encodable as UTF-8."""

    def from_string(self, template_code: str) -> RobustTemplate:
        return RobustTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> RobustTemplate:
        try:
            return RobustTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
            raise  # unreachable: reraise always raises
