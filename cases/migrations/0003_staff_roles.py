"""The staff roles: Case officer, Publisher, Administrator (see cases/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from accounts.roles import sync_roles

    # Permissions added by later migrations (view_confidential in 0004) come with them.
    sync_roles(apps, missing_ok=True)


def remove_roles(apps, schema_editor):
    from accounts.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0002_history_and_versions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
