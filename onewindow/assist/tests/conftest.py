"""Assist fixtures: a village service station (便民服务站) run by the suite's approval ``bureau``, its staff
member ``helper``, an online item of department A, and a resident's ID card."""

from __future__ import annotations

import struct

import pytest

from onewindow.cases.tests.factories import case_item
from onewindow.halls import services as hall_services
from onewindow.halls.models import CentreKind
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, valid_citizen_id

RESIDENT_NAME = "林阿婆"
RESIDENT_ID = valid_citizen_id(77, born="19450812")
RESIDENT_PHONE = "13912345677"


def signature_png(width: int = 300, height: int = 100) -> str:
    """A data URL holding a PNG header of the given size (what the signature pad sends)."""
    import base64

    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    return (
        "data:image/png;base64," + base64.b64encode(header + b"\x08\x06\x00\x00\x00" + b"\x00" * 64).decode()
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def station(bureau):
    return hall_services.centre_create(
        actor=None,
        name="三坊七巷社区便民服务站",
        kind=CentreKind.VILLAGE_STATION,
        region=bureau.region,
        window_department=bureau,
        address="南后街社区居委会一楼",
        opening_hours="周一至周五 8:30—17:30",
        phone="0591-87551234",
    )


@pytest.fixture
def helper(station, bureau):
    user = MembershipFactory(
        user=UserFactory(username="helper", name="帮办员 陈秀英", is_staff=True),
        department=bureau,
        role=Role.WINDOW_CLERK,
    ).user
    hall_services.window_clerk_assign(actor=None, centre=station, user=user)
    return user


@pytest.fixture
def item(department_a):
    return case_item(department=department_a)
