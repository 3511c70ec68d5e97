# The status of a recommendation's latest update, kept on the recommendation for the tracker.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def store_status(apps, schema_editor):
    """The status of each recommendation's latest update, and its date, as the model keeps them."""
    Recommendation = apps.get_model("cases", "Recommendation")
    RecommendationUpdate = apps.get_model("cases", "RecommendationUpdate")
    latest = RecommendationUpdate.objects.filter(recommendation=OuterRef("pk")).order_by(
        "-date", "-id"
    )
    Recommendation.objects.update(
        current_status=Coalesce(
            Subquery(latest.values("status")[:1]), Value("pending"), output_field=models.CharField()
        ),
        last_update_on=Subquery(latest.values("date")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_indexes_for_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="current_status",
            field=models.CharField(
                choices=[
                    ("pending", "pending"),
                    ("committed", "committed"),
                    ("partial", "partially implemented"),
                    ("implemented", "implemented"),
                    ("not_implemented", "not implemented"),
                    ("closed", "closed"),
                ],
                default="pending",
                editable=False,
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="last_update_on",
            field=models.DateField(editable=False, null=True, verbose_name="last updated on"),
        ),
        migrations.RunPython(store_status, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                fields=["target_state", "current_status", "last_update_on", "issued_on"],
                name="recommendation_status_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "current_status__in",
                        [
                            "pending",
                            "committed",
                            "partial",
                            "implemented",
                            "not_implemented",
                            "closed",
                        ],
                    )
                ),
                name="recommendation_status_valid",
            ),
        ),
    ]
