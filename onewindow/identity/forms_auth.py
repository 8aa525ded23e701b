"""Forms for signing in, registering and passwords: field presence and shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import DomainError

CODE_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "pattern": "[0-9]{6}",
    "maxlength": "6",
}
PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel", "maxlength": "20"}


class DomainErrorForm(forms.Form):
    """A form that shows a service's refusal: on the fields it names, otherwise above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        placed = False
        for problem in error.problems:
            if problem.field in self.fields:
                self.add_error(problem.field, str(problem.message))
                placed = True
        if not placed:
            self.add_error(None, str(error.message))


class TwicePasswordMixin(forms.Form):
    """The new password typed twice must match (``twice`` names the two fields)."""

    twice = ("new_password", "new_password_again")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        first, second = (data.get(name) for name in self.twice)
        if first and second and first != second:
            self.add_error(self.twice[1], _("The two passwords differ. Type the same password twice."))
        return data


class PasswordLoginForm(DomainErrorForm):
    # "username" keeps password managers and existing staff bookmarks working; it takes a phone or ID too.
    username = forms.CharField(
        label=_("Phone number, ID number or user name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SmsLoginForm(DomainErrorForm):
    phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(
        label=_("SMS code"), max_length=6, required=False, widget=forms.TextInput(attrs=CODE_ATTRS)
    )

    def __init__(self, *args: object, code_required: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].required = code_required


class SmsCodeSendMixin(forms.Form):
    """Forms with a "获取验证码" button need only the phone when that button is pressed."""

    def __init__(self, *args: object, sending: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if sending:
            for name, field in self.fields.items():
                field.required = name == "phone"


class RegisterForm(TwicePasswordMixin, SmsCodeSendMixin, DomainErrorForm):
    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(label=_("SMS code"), max_length=6, widget=forms.TextInput(attrs=CODE_ATTRS))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    twice = ("password", "password_again")
    agree = forms.BooleanField(label=_("I have read and agree to the user agreement and the privacy policy"))


class PasswordResetForm(TwicePasswordMixin, SmsCodeSendMixin, DomainErrorForm):
    phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    code = forms.CharField(label=_("SMS code"), max_length=6, widget=forms.TextInput(attrs=CODE_ATTRS))
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordChangeForm(TwicePasswordMixin, DomainErrorForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TotpForm(DomainErrorForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"), max_length=6, widget=forms.TextInput(attrs=CODE_ATTRS)
    )
