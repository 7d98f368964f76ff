"""PostgreSQL's parser reads "SO-732893" as "so" and "-732893" (a signed number), so an
order number was not found by its digits, while SQLite's tokenizer splits at the hyphen.
The vectors now see hyphens as spaces, as the query side (words only) always did."""

from django.db import migrations


def _vector(columns):
    parts = [
        f"setweight(to_tsvector('english', replace({column}, '-', ' ')), '{weight}')"
        for column, weight in columns
    ]
    return " || ".join(parts)


PUBLIC = _vector([("subject", "A"), ("public_text", "B")])
ALL = _vector([("subject", "A"), ("public_text", "B"), ("private_text", "C")])

UP = [
    "DROP INDEX IF EXISTS search_public_vector",
    "DROP INDEX IF EXISTS search_all_vector",
    "ALTER TABLE search_ticketdocument DROP COLUMN public_vector",
    "ALTER TABLE search_ticketdocument DROP COLUMN all_vector",
    f"ALTER TABLE search_ticketdocument ADD COLUMN public_vector tsvector "
    f"GENERATED ALWAYS AS ({PUBLIC}) STORED",
    f"ALTER TABLE search_ticketdocument ADD COLUMN all_vector tsvector "
    f"GENERATED ALWAYS AS ({ALL}) STORED",
    "CREATE INDEX search_public_vector ON search_ticketdocument USING GIN (public_vector)",
    "CREATE INDEX search_all_vector ON search_ticketdocument USING GIN (all_vector)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
