"""On PostgreSQL, order object names bytewise (COLLATE "C"), as Cloud Storage lists them.

SQLite compares text bytewise already; a locale collation would break keyset pagination, which
relies on "the names after X" meaning the same thing in SQL and in Python.
"""

from django.db import migrations


def use_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE emulator_storage_object ALTER COLUMN name TYPE varchar(1024) COLLATE "C"')
        schema_editor.execute('ALTER TABLE emulator_storage_bucket ALTER COLUMN name TYPE varchar(222) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("emulator_storage", "0001_initial")]
    operations = [migrations.RunPython(use_c_collation, migrations.RunPython.noop)]
