"""The engine-specific full-text index over TicketDocument.

SQLite: an external-content FTS5 table (porter stemming over unicode61) that triggers keep
in step with search_ticketdocument. PostgreSQL: generated, weighted tsvector columns with
GIN indexes; `public_vector` never holds internal-note text.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_ticket_fts USING fts5(
        subject, public_text, private_text,
        content='search_ticketdocument', content_rowid='ticket_id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_ticket_fts_ai AFTER INSERT ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(rowid, subject, public_text, private_text)
        VALUES (new.ticket_id, new.subject, new.public_text, new.private_text);
    END""",
    """CREATE TRIGGER search_ticket_fts_ad AFTER DELETE ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject, public_text, private_text)
        VALUES ('delete', old.ticket_id, old.subject, old.public_text, old.private_text);
    END""",
    """CREATE TRIGGER search_ticket_fts_au AFTER UPDATE ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject, public_text, private_text)
        VALUES ('delete', old.ticket_id, old.subject, old.public_text, old.private_text);
        INSERT INTO search_ticket_fts(rowid, subject, public_text, private_text)
        VALUES (new.ticket_id, new.subject, new.public_text, new.private_text);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_ticket_fts_au",
    "DROP TRIGGER IF EXISTS search_ticket_fts_ad",
    "DROP TRIGGER IF EXISTS search_ticket_fts_ai",
    "DROP TABLE IF EXISTS search_ticket_fts",
]
POSTGRES_UP = [
    """ALTER TABLE search_ticketdocument ADD COLUMN public_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', subject), 'A') ||
        setweight(to_tsvector('english', public_text), 'B')) STORED""",
    """ALTER TABLE search_ticketdocument ADD COLUMN all_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', subject), 'A') ||
        setweight(to_tsvector('english', public_text), 'B') ||
        setweight(to_tsvector('english', private_text), 'C')) STORED""",
    "CREATE INDEX search_public_vector ON search_ticketdocument USING GIN (public_vector)",
    "CREATE INDEX search_all_vector ON search_ticketdocument USING GIN (all_vector)",
]
POSTGRES_DOWN = [
    "ALTER TABLE search_ticketdocument DROP COLUMN all_vector",
    "ALTER TABLE search_ticketdocument DROP COLUMN public_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
