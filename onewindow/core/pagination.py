"""The one pagination every API list uses: numbered pages, bounded so no request can ask for an absurd offset."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    """``?page=&page_size=`` with ``page_size`` at most 200; answers ``{"items": [...], "count": N}``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
