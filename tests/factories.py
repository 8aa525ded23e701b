"""Factories for the records every test needs. Valid identifiers come from the same check functions the
platform uses, so a factory never builds something the services would refuse."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from onewindow.core.identifiers import credit_code_check_digit, organisation_code_check_digit
from onewindow.organisations.models import Department, ExerciseLevel, Membership, Region, RegionLevel, Role

DEFAULT_PASSWORD = "Correct-Horse-2026"


def valid_credit_code(n: int, region: str = "350100") -> str:
    org8 = f"T{n:07d}"
    body = f"11{region[:6]}{org8}{organisation_code_check_digit(org8)}"
    return body + credit_code_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "350000"
    name = "福建省"
    level = RegionLevel.PROVINCE
    parent = None

    class Params:
        city = factory.Trait(
            code="350100",
            name="福州市",
            level=RegionLevel.CITY,
            parent=factory.SubFactory("tests.factories.RegionFactory"),
        )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"部门{n}")
    credit_code = factory.Sequence(lambda n: valid_credit_code(n))
    region = factory.SubFactory(RegionFactory, city=True)
    level = ExerciseLevel.MUNICIPAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, is_staff=True)
    department = factory.SubFactory(DepartmentFactory)
    role = Role.WINDOW_CLERK


def valid_citizen_id(n: int, region: str = "350102", born: str = "19900307") -> str:
    """A citizen ID number that passes GB 11643 (the sequence part varies with ``n``)."""
    from onewindow.core.identifiers import citizen_id_check_char

    body = f"{region}{born}{n % 1000:03d}"
    return body + citizen_id_check_char(body)


def person(n: int = 1, *, level: int = 2, name: str = "", **fields: object):
    """A citizen with a password (DEFAULT_PASSWORD), phone 1390000<n>, and a valid ID number from level 2."""
    from onewindow.identity.services.people import person_create

    return person_create(
        name=name or f"市民{n}",
        phone=f"139{n:08d}",
        id_number=valid_citizen_id(n) if level >= 2 else "",
        password=DEFAULT_PASSWORD,
        assurance_level=level,
        **fields,
    )
