from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0003: PostgreSQL does not change a table in the transaction that just rewrote its rows."""

    dependencies = [
        ("resources", "0003_skills_of_an_authority"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.UniqueConstraint(condition=models.Q(authority__isnull=False),
                                               fields=("authority", "name_key"), name="skill_name_once_per_authority"),
        ),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.UniqueConstraint(condition=models.Q(authority__isnull=True), fields=("name_key",),
                                               name="skill_name_once_in_shared_vocabulary"),
        ),
    ]
