"""The guide's 联办机构 come from the item's process (issue #12.8): the departments with a step in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.catalogue.selectors import item_joint_departments
from onewindow.workflow.selectors import item_process_departments

pytestmark = pytest.mark.django_db


def test_the_process_departments_other_than_the_items_own_are_the_joint_bodies(
    definition, item, department_b
):
    assert item_process_departments(item) == [department_b]


def test_an_item_without_a_process_keeps_its_hand_kept_joint_bodies(item, department_b):
    item.published_version.joint_departments.set([department_b])

    assert item_process_departments(item) is None
    assert item_joint_departments(item=item, version=item.published_version) == [department_b]


def test_the_guide_names_the_process_departments_even_when_the_hand_kept_list_is_empty(
    client, definition, item, department_b
):
    assert not item.published_version.joint_departments.exists()

    page = client.get(reverse("catalogue:item", args=[item.implementation_code])).content.decode()

    assert department_b.name in page
