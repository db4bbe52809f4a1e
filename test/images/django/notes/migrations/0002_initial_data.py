from django.db import migrations


def seed(apps, schema_editor):
    Note = apps.get_model("notes", "Note")
    for n in range(5):
        Note.objects.create(title="note %d" % n, body="body of note %d " % n * 4, pinned=n == 0)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
