"""The view-confidential permission, given to case officers and publishers; a Contributor role."""

from django.db import migrations


def sync(apps, schema_editor):
    from accounts.roles import sync_roles

    # Later migrations add models whose permissions the roles also hold.
    sync_roles(apps, missing_ok=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_staff_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["-opened_on", "title"],
                "permissions": [
                    ("publish_case", "Can publish, unpublish and close cases"),
                    (
                        "view_confidential",
                        "Can see confidential fields: internal notes, risk levels, contact "
                        "details, protected identities, private source files",
                    ),
                ],
                "verbose_name": "case",
                "verbose_name_plural": "cases",
            },
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
