# pg_trgm and unaccent for accent-insensitive, typo-tolerant name search (no-ops on SQLite).
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
