"""Writes of the ratings app (one module per concern, re-exported here)."""

from onewindow.ratings.services.ratings import (
    case_rateable,
    handled_at,
    rating_inbound_submit,
    rating_submit,
    rating_window_submit,
)
from onewindow.ratings.services.rectifications import (
    RaterContact,
    rater_contact_view,
    rectification_appeal,
    rectification_callback_record,
    rectification_rerate,
    rectification_resolve,
    rectification_review,
    rectifications_escalate,
)

__all__ = [
    "RaterContact",
    "case_rateable",
    "handled_at",
    "rater_contact_view",
    "rating_inbound_submit",
    "rating_submit",
    "rating_window_submit",
    "rectification_appeal",
    "rectification_callback_record",
    "rectification_rerate",
    "rectification_resolve",
    "rectification_review",
    "rectifications_escalate",
]
