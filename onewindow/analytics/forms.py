"""The dashboard's filters: a period of at most five years, a month for the rankings and the report."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.analytics.figures import Period
from onewindow.analytics.performance import month_period
from onewindow.core import clock

MAX_DAYS = 5 * 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        today = clock.today()
        start = data.get("start") or today.replace(month=1, day=1)
        end = data.get("end") or today
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."), code="order")
        if (end - start).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."), code="too_long")
        data["period"] = Period(start=start, end=end)
        return data


def default_period() -> Period:
    today = clock.today()
    return Period(start=today.replace(month=1, day=1), end=today)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def clean_month(self) -> dt.date:
        value = self.cleaned_data.get("month") or ""
        if not value:
            return clock.today().replace(day=1)
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="month") from None

    @property
    def period(self) -> Period:
        if self.is_valid():
            return month_period(self.cleaned_data["month"])
        return month_period(clock.today())
