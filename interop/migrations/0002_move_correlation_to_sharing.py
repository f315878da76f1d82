"""Correlation matches and access requests now belong to sharing (sharing 0003 takes over
their tables): drop them from interop's state only; the tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('interop', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='AccessRequestTarget'),
                migrations.DeleteModel(name='AccessRequest'),
                migrations.DeleteModel(name='Match'),
            ],
            database_operations=[],
        ),
    ]
