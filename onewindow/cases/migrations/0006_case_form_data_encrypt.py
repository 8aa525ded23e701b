"""Encrypt the personal answers of every existing application form (issue #17: ID numbers and phones were
stored in clear in ``cases_case.form_data``); reversing writes them back in clear."""

from django.db import migrations

from onewindow.cases.fields import StoredForm, form_seal


def _rows(apps):
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.select_related("item_version").only("pk", "form_data", "item_version__form_schema")
    return Case, rows.order_by("pk").iterator(chunk_size=500)


def encrypt(apps, schema_editor):
    # Reading opens any value already sealed; legacy answers come back as they were stored (plain).
    Case, rows = _rows(apps)
    for case in rows:
        sealed = form_seal(case.item_version.form_schema or {}, case.form_data)
        Case.objects.filter(pk=case.pk).update(form_data=sealed)


def decrypt(apps, schema_editor):
    Case, rows = _rows(apps)
    for case in rows:
        # StoredForm: written as given, in clear (the field would seal a plain dict by its name rules).
        Case.objects.filter(pk=case.pk).update(form_data=StoredForm(case.form_data))


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_form_data_sealed")]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
