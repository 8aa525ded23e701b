"""Case.form_data becomes a SealedFormField (same column type; the field encrypts personal answers)."""

from django.db import migrations

import onewindow.cases.fields


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_workflow_step_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="form_data",
            field=onewindow.cases.fields.SealedFormField(blank=True, default=dict, verbose_name="form data"),
        ),
    ]
