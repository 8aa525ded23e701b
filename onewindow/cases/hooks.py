"""Extension points where apps above cases (workflow, licences) act inside a case's own transaction.

cases sits below them in the import layers, so it cannot call them; they register here in their
``AppConfig.ready()``. A hook runs in the service's transaction after the state change is written: raising a
``DomainError`` from it rolls the whole change back, so the case and the other app never disagree.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class CaseHook(enum.StrEnum):
    """When hooks run, and the keyword arguments they get (always ``case`` and ``actor``, which may be None
    for the scheduler)."""

    STARTED = "started"  # the applicant started a draft (the platform may attach what it holds)
    ACCEPTED = "accepted"  # the case was accepted (by a clerk or by default)
    PROCESS_STARTED = "process_started"  # the department started handling it
    SUSPENDED = "suspended"  # a special procedure started: + start_on, reason, basis
    RESUMED = "resumed"  # the special procedure ended: + end_on
    CONCLUDING = "concluding"  # before the decision is written, to refuse it: + code
    CONCLUDED = "concluded"  # the decision was written: + code
    DECISION_REVOKED = "decision_revoked"  # an approval was revoked (a false pledge): + reason
    # A life event's later stage is about to start: + earlier (the concluded cases of the stages before), so
    # what they produced (a licence) is attached to ``case`` before its automatic pre-review.
    STAGE_STARTING = "stage_starting"
    # The application is being received (submitted or resubmitted), before its automatic pre-review: the
    # platform may still attach what it holds and check the form against the registries.
    RECEIVING = "receiving"
    # A correction notice naming materials outside the guide was refused (and rolled back); runs in a
    # transaction of its own so e-supervision can record the attempt: + outside (the materials' names).
    CORRECTION_REFUSED = "correction_refused"


_registry: dict[CaseHook, list[Callable[..., None]]] = defaultdict(list)
_order: dict[Callable[..., None], int] = {}


def case_hook_register(hook: CaseHook, handler: Callable[..., None], *, order: int = 0) -> None:
    """Call ``handler(**kwargs)`` at ``hook``, lower ``order`` first (then in registration order); registering
    the same handler twice has no effect. The life events' stage hand-over runs after the others (order 100),
    so the licence a conclusion issues exists by the time it is handed over."""
    if handler not in _registry[hook]:
        _order[handler] = order
        _registry[hook].append(handler)
        _registry[hook].sort(key=lambda registered: _order.get(registered, 0))


def case_hooks_run(hook: CaseHook, **kwargs: Any) -> None:
    for handler in list(_registry[hook]):
        handler(**kwargs)


@dataclass(frozen=True)
class CaseNote:
    """Something an app above cases has to say on a case page: about one material (``material_key``) or the
    whole case; ``audience`` is ``applicant`` or ``staff``; ``level`` is ``info`` or ``warning``."""

    text: str
    audience: str
    material_key: str = ""
    level: str = "info"


_note_providers: list[Callable[..., list[CaseNote]]] = []


def case_notes_provider_register(provider: Callable[..., list[CaseNote]]) -> None:
    """``provider(case=...)`` returns notes for the case pages (the data-sharing app's registry checks)."""
    if provider not in _note_providers:
        _note_providers.append(provider)


def case_notes(case: Any, *, audience: str) -> list[CaseNote]:
    return [note for provider in _note_providers for note in provider(case=case) if note.audience == audience]


# Sections other apps add to the applicant's case page (e.g. what is due and how to pay): each provider
# returns rendered HTML, or "" when it has nothing to show for the case.
_sections: list[Callable[..., str]] = []


def case_section_register(provider: Callable[..., str]) -> None:
    """Show ``provider(case=, request=)``'s HTML on the applicant's case page."""
    if provider not in _sections:
        _sections.append(provider)


def case_sections_render(**kwargs: Any) -> list[str]:
    return [html for provider in _sections if (html := provider(**kwargs))]


# Drawers of a material's file that was attached by reference before it was drawn (the licences app draws an
# e-licence's watermarked copy): ``drawer(case_material)`` stores the file and returns True, or returns False
# when the row is not one of its own.
_file_drawers: list[Callable[[Any], bool]] = []


def case_material_drawer_register(drawer: Callable[[Any], bool]) -> None:
    if drawer not in _file_drawers:
        _file_drawers.append(drawer)


def case_material_draw(case_material: Any) -> bool:
    """Draw the file of a row still waiting for it (its first download comes before the worker's job)."""
    return any(drawer(case_material) for drawer in list(_file_drawers))
