"""Correlation matches and access requests move from interop to sharing, keeping their rows.

The models enter sharing's state on their old tables (no SQL), then ``AlterModelTable``
renames ``interop_*`` to ``sharing_*``. interop 0002 has already dropped them from interop's
state, so a fresh database and an existing one end the same way.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ("accessrequest", "accessrequesttarget", "match")


def _relabel_content_types(apps, schema_editor, old, new):
    """Permissions and admin log entries follow the models (none exist on a fresh database)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel_content_types(apps, schema_editor, "interop", "sharing")


def backwards(apps, schema_editor):
    _relabel_content_types(apps, schema_editor, "sharing", "interop")


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_sharingagreement_partnerendpoint'),
        ('sharing', '0002_trim_indexes'),
        ('interop', '0002_move_correlation_to_sharing'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AccessRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField()),
                        ('legal_basis', models.CharField(max_length=300)),
                        ('handling_code', models.CharField(choices=[('H0', 'H0 – for police and judicial use only'), ('H1', "H1 – not to be used as evidence in court without originator's permission"), ('H2', "H2 – not to be disseminated without originator's permission"), ('H3', 'H3 – other restrictions (see text)')], max_length=2)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('indicator', models.ForeignKey(help_text="The requester's own", on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sharing.indicator')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                    ],
                    options={
                        'db_table': 'interop_accessrequest',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AccessRequestTarget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('granted', 'Shared'), ('declined', 'Declined')], default='pending', max_length=10)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decision_reason', models.TextField(blank=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('holder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sharing.indicator')),
                        ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='sharing.accessrequest')),
                        ('share', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='sharing.share')),
                    ],
                    options={
                        'db_table': 'interop_accessrequesttarget',
                        'ordering': ['-request__created_at', '-id'],
                        'indexes': [models.Index(fields=['holder', 'status'], name='accessreq_inbox')],
                        'constraints': [models.UniqueConstraint(fields=('request', 'indicator'), name='one_target_per_indicator')],
                    },
                ),
                migrations.CreateModel(
                    name='Match',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('found_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sharing.indicator')),
                        ('other', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sharing.indicator')),
                    ],
                    options={
                        'db_table': 'interop_match',
                        'ordering': ['-found_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('indicator', 'other'), name='one_match_per_pair')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='accessrequest', table=None),
        migrations.AlterModelTable(name='accessrequesttarget', table=None),
        migrations.AlterModelTable(name='match', table=None),
        migrations.RunPython(forwards, backwards),
    ]
