"""The hotline demo: the dispatch catalogue, tickets at every stage (a merged duplicate, a pending return, an
Open311 request), a reviewed answer in 公司设立's FAQ, and the operator persona in the 12345 office."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.consult.models import FaqStatus, Question
from onewindow.demo.data import demo_load
from onewindow.hotline.models import Channel, DispatchCategory, Ticket, TicketStatus
from onewindow.hotline.permissions import is_office_decider, is_operator

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_catalogue_and_tickets_at_every_stage(demo):
    assert DispatchCategory.objects.count() == 8
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {
        TicketStatus.MERGED,
        TicketStatus.RETURNED,
        TicketStatus.CLOSED,
        TicketStatus.RESPONDED,
    } <= statuses
    assert Ticket.objects.filter(channel=Channel.OPEN311).exists()
    users = get_user_model().objects
    assert is_operator(users.get(username="operator")) and is_office_decider(users.get(username="supervisor"))


def test_the_reviewed_answer_is_in_the_guide_faq(demo):
    question = Question.objects.get(faq_status=FaqStatus.PUBLISHED)
    page = Client().get(f"/services/items/{question.item.implementation_code}/").content.decode()
    assert question.faq_question in page


def test_loading_again_adds_nothing(demo):
    assert demo_load()["tickets"] == 0
