"""Writes of the e-licence library: keys, types, issuing, lifecycle and issuing on a case's conclusion."""

from onewindow.licences.services.cases import face_from_case, licence_issue_for_case
from onewindow.licences.services.issuing import (
    face_clean,
    licence_change,
    licence_issue,
    licence_renew,
    licence_valid_until,
)
from onewindow.licences.services.keys import signing_key_create, signing_key_for_issuing, signing_key_rotate
from onewindow.licences.services.lifecycle import (
    licence_expiry_reminders_send,
    licence_revoke,
    licence_suspend,
    licence_suspension_lift,
    licences_expire,
)
from onewindow.licences.services.types import licence_type_activate, licence_type_create

__all__ = [
    "face_clean",
    "face_from_case",
    "licence_change",
    "licence_expiry_reminders_send",
    "licence_issue",
    "licence_issue_for_case",
    "licence_renew",
    "licence_revoke",
    "licence_suspend",
    "licence_suspension_lift",
    "licence_type_activate",
    "licence_type_create",
    "licence_valid_until",
    "licences_expire",
    "signing_key_create",
    "signing_key_for_issuing",
    "signing_key_rotate",
]
