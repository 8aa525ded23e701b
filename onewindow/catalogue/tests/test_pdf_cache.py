"""Public PDFs (guide, blank and sample form) are drawn once per guide text and then served from the PDF
cache, which ``catalogue_pdfs_warm`` fills ahead of visitors; a person's filled form is never cached."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from onewindow.catalogue import pdf
from onewindow.catalogue.tests.factories import published_item
from onewindow.catalogue.views import form_pdf, guide_pdf
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawings(monkeypatch, settings, tmp_path):
    """Count WeasyPrint runs (replaced by a stand-in: drawing is what is being avoided) in a fresh cache."""
    settings.DATA_DIR = tmp_path
    drawn: list[str] = []

    def draw(html: str) -> bytes:
        drawn.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(pdf, "_draw", draw)
    return drawn


@pytest.fixture
def item():
    return published_item(department=DepartmentFactory(), name="食品经营许可")


def test_the_second_request_for_a_guide_pdf_is_served_from_the_cache(client, item, drawings, tmp_path):
    url = reverse("catalogue:item_guide_pdf", args=[item.implementation_code])

    first, second = client.get(url), client.get(url)

    assert first.content == second.content == b"%PDF-1.7 stand-in"
    assert len(drawings) == 1
    (cached,) = (tmp_path / "pdf-cache").iterdir()
    assert cached.stat().st_mode & 0o777 == 0o600


def test_a_changed_guide_is_drawn_again(item, drawings, settings):
    guide_pdf(item)
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn"

    guide_pdf(item)

    assert len(drawings) == 2


def test_a_filled_form_is_never_cached(item, drawings, tmp_path):
    form_pdf(item, "filled", {"applicant_name": "张三"})
    form_pdf(item, "filled", {"applicant_name": "张三"})

    assert len(drawings) == 2
    assert not (tmp_path / "pdf-cache").exists()


def test_warming_draws_every_guide_ahead_of_visitors(client, item, drawings):
    call_command("catalogue_pdfs_warm", stdout=open("/dev/null", "w"))  # noqa: SIM115
    warmed = len(drawings)

    client.get(reverse("catalogue:item_guide_pdf", args=[item.implementation_code]))
    client.get(reverse("catalogue:item_form_blank_pdf", args=[item.implementation_code]))

    assert warmed == 3 and len(drawings) == 3


def test_the_guide_pdf_names_the_public_address(item, drawings, settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "http://127.0.0.1:8101"

    guide_pdf(item)

    assert f"http://127.0.0.1:8101/services/items/{item.implementation_code}/" in drawings[0]
