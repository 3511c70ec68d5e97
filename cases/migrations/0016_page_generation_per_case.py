from django.db import migrations, models


class Migration(migrations.Migration):
    """The page generation's one row becomes the row of every change (scope 0)."""

    dependencies = [
        ("cases", "0015_case_last_public_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="pagegeneration",
            name="scope",
            field=models.BigIntegerField(default=0, unique=True, verbose_name="pages"),
            preserve_default=False,
        ),
    ]
