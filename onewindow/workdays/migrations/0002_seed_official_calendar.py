"""Seed the official holiday lists of 2004–2026 carried by the chinesecalendar package."""

from django.db import migrations

YEARS = range(2004, 2027)


def seed(apps, schema_editor):
    from onewindow.workdays.services import LIBRARY_SOURCE, calendar_days_from_library

    calendar_day = apps.get_model("workdays", "CalendarDay")
    calendar_year = apps.get_model("workdays", "CalendarYear")
    for year, days in calendar_days_from_library(YEARS).items():
        if calendar_year.objects.filter(year=year).exists():
            continue
        calendar_day.objects.bulk_create(
            [calendar_day(date=d.date, kind=d.kind, name=d.name, source=LIBRARY_SOURCE) for d in days],
            ignore_conflicts=True,
        )
        calendar_year.objects.create(year=year, source=LIBRARY_SOURCE)


def unseed(apps, schema_editor):
    from onewindow.workdays.services import LIBRARY_SOURCE

    apps.get_model("workdays", "CalendarDay").objects.filter(source=LIBRARY_SOURCE).delete()
    apps.get_model("workdays", "CalendarYear").objects.filter(source=LIBRARY_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
