"""Demo 12345 hotline and 我要问 / 投诉建议: the dispatch catalogue built from the departments' duties, a routing
rule, tickets at every stage (answered and called back, merged, returned, open) and questions with an answer
in an item's FAQ — read from ``hotline.json`` and created through the apps' services like real data.

Loaded once: when the catalogue already has entries, nothing is added (an administrator's changes stay).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.catalogue.models import Item
from onewindow.consult import services as consult
from onewindow.hotline import services as hotline
from onewindow.hotline.models import DispatchCategory, HotlineOffice, Open311Client, RoutingRule, Ticket
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.models import Department, Membership, Region, Role

DATA_FILE = Path(__file__).with_name("hotline.json")
ITEM_KEYS = Path(__file__).with_name("catalogue_exchange") / "item_keys.csv"
# The department staff who act on the demo tickets (demo/data.py personas).
HANDLERS = {
    "environment": "clerk_env",
    "housing": "clerk_housing",
    "market": "clerk_market",
    "fire": "clerk_fire",
    "tax": "clerk_tax",
    "approval": "clerk",
    "gulou_market": "clerk_market",
}


def _by_phone(phone: str) -> Any:
    person = person_by_identifier(phone)
    assert person is not None, phone
    return person.user


def hotline_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the demo hotline and consultation records unless the dispatch catalogue already exists."""
    created = {"dispatch_categories": 0, "tickets": 0, "questions": 0, "complaints": 0}
    if DispatchCategory.objects.exists():
        return created
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[*HANDLERS.values(), "operator", "supervisor", "deptadmin"]
        )
    }
    HotlineOffice.objects.get_or_create(department=departments[data["office"]])
    categories = {}
    for spec in data["categories"]:
        category = DispatchCategory.objects.create(
            code=spec["code"],
            name=spec["name"],
            group=spec["group"],
            keywords=spec["keywords"],
            description=spec["description"],
            duty_basis=spec["duty_basis"],
            limit_days=spec["limit_days"],
            lead_department=departments[spec["lead"]],
        )
        category.co_departments.set([departments[key] for key in spec["co"]])
        categories[spec["code"]] = category
        created["dispatch_categories"] += 1
    for spec in data["rules"]:
        rule = RoutingRule.objects.create(
            category=categories[spec["category"]],
            region=Region.objects.get(code=spec["region"]),
            lead_department=departments[spec["lead"]],
        )
        rule.co_departments.set([departments[key] for key in spec["co"]])
    operator = users["operator"]
    client = Open311Client.objects.filter(name="演示 Open311 客户端").first()
    if client is None:
        client = hotline.open311_client_register(actor=None, name="演示 Open311 客户端")[0]
    tickets: list[Ticket] = []
    for spec in data["tickets"]:
        region = Region.objects.get(code=spec["region"]) if spec.get("region") else None
        fields = dict(
            kind=spec["kind"],
            description=spec["description"],
            region=region,
            address=spec.get("address", ""),
            caller_phone=spec.get("caller_phone", ""),
        )
        if spec["channel"] == "phone":
            ticket = hotline.ticket_create(
                actor=operator, channel="phone", caller_name=spec["caller_name"], **fields
            )
        elif spec["channel"] == "open311":
            ticket = hotline.ticket_create(
                actor=None,
                channel="open311",
                caller_name=spec["caller_name"],
                open311_client=client,
                lat=Decimal(spec["lat"]),
                long=Decimal(spec["long"]),
                **fields,
            )
        else:
            citizen = _by_phone(spec["citizen"])
            ticket = hotline.ticket_create(actor=citizen, caller=citizen, channel=spec["channel"], **fields)
        created["tickets"] += 1
        if "merge_into" in spec:
            hotline.ticket_merge(duplicate=ticket, into=tickets[spec["merge_into"]], actor=operator)
        if spec.get("dispatch"):
            ticket = hotline.ticket_dispatch(
                ticket=ticket, actor=operator, category=categories[spec["dispatch"]], region=region
            )
            handler = users.get(HANDLERS.get(_key(departments, ticket.lead_department), ""))
            if spec.get("return_by"):
                fire = get_user_model().objects.get(username=spec["return_by"])
                hotline.ticket_return(ticket=ticket, actor=fire, reason=spec["return_reason"])
            if spec.get("sign") and handler:
                hotline.ticket_sign(ticket=ticket, actor=handler)
            if spec.get("respond") and handler:
                ticket = hotline.ticket_respond(ticket=ticket, actor=handler, response=spec["respond"])
            if spec.get("callback"):
                hotline.ticket_call_back(
                    ticket=ticket, actor=operator, satisfaction=spec["callback"], note="电话回访"
                )
        tickets.append(ticket)
    items = {
        row["key"]: row["implementation_code"] for row in csv.DictReader(ITEM_KEYS.open(encoding="utf-8"))
    }
    for spec in data["questions"]:
        item = (
            Item.objects.filter(implementation_code=items[spec["item"]]).first() if spec.get("item") else None
        )
        question = consult.question_ask(
            asker=_by_phone(spec["citizen"]),
            item=item,
            department=departments.get(spec.get("department", "")),
            title=spec["title"],
            body=spec["body"],
            allow_public=spec["allow_public"],
        )
        created["questions"] += 1
        if spec.get("answer"):
            answerer = _member(question.department)
            question = consult.question_answer(
                question=question, actor=answerer, answer=spec["answer"], propose_faq=bool(spec.get("faq"))
            )
            if spec.get("faq"):
                consult.question_faq_review(
                    question=question,
                    actor=_member(question.department, head=True),
                    publish=True,
                    faq_question=spec["faq"],
                )
            if spec.get("rating"):
                consult.question_rate(question=question, actor=question.asker, rating=spec["rating"])
    for spec in data["complaints"]:
        submitter = None if spec.get("anonymous") else _by_phone(spec["citizen"])
        consult.complaint_submit(
            submitter=submitter,
            kind=spec["kind"],
            body=spec["body"],
            department=departments[spec["department"]],
            anonymous=bool(spec.get("anonymous")),
            contact=spec.get("contact", ""),
        )
        created["complaints"] += 1
    return created


def _key(departments: dict[str, Department], department: Department | None) -> str:
    return next((key for key, value in departments.items() if value == department), "")


def _member(department: Department, *, head: bool = False) -> Any:
    """A staff member of the department (its head or administrator to review the FAQ)."""
    memberships = Membership.objects.filter(department=department).select_related("user")
    if head:
        memberships = memberships.filter(role__in=[Role.HEAD, Role.DEPARTMENT_ADMIN])
    membership = memberships.first()
    assert membership is not None, department.name
    return membership.user
