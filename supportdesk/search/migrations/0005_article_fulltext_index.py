"""The engine-specific full-text index over ArticleDocument. The text arrives stemmed in
its language, so neither engine stems again: FTS5's unicode61 tokenizer alone on SQLite,
the 'simple' configuration on PostgreSQL (weights: title A, tags B, body D)."""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_article_fts USING fts5(
        title_terms, tag_terms, body_terms,
        content='search_articledocument', content_rowid='translation_id',
        tokenize='unicode61 remove_diacritics 2')""",
    # How many documents hold each term: the search leaves the commonest terms out.
    "CREATE VIRTUAL TABLE search_article_vocab USING fts5vocab(search_article_fts, 'row')",
    """CREATE TRIGGER search_article_fts_ai AFTER INSERT ON search_articledocument BEGIN
        INSERT INTO search_article_fts(rowid, title_terms, tag_terms, body_terms)
        VALUES (new.translation_id, new.title_terms, new.tag_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_article_fts_ad AFTER DELETE ON search_articledocument BEGIN
        INSERT INTO search_article_fts(search_article_fts, rowid, title_terms, tag_terms, body_terms)
        VALUES ('delete', old.translation_id, old.title_terms, old.tag_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_article_fts_au AFTER UPDATE ON search_articledocument BEGIN
        INSERT INTO search_article_fts(search_article_fts, rowid, title_terms, tag_terms, body_terms)
        VALUES ('delete', old.translation_id, old.title_terms, old.tag_terms, old.body_terms);
        INSERT INTO search_article_fts(rowid, title_terms, tag_terms, body_terms)
        VALUES (new.translation_id, new.title_terms, new.tag_terms, new.body_terms);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_article_fts_au",
    "DROP TRIGGER IF EXISTS search_article_fts_ad",
    "DROP TRIGGER IF EXISTS search_article_fts_ai",
    "DROP TABLE IF EXISTS search_article_vocab",
    "DROP TABLE IF EXISTS search_article_fts",
]
POSTGRES_UP = [
    """ALTER TABLE search_articledocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A') ||
        setweight(to_tsvector('simple', tag_terms), 'B') ||
        setweight(to_tsvector('simple', body_terms), 'D')) STORED""",
    "CREATE INDEX search_article_vector ON search_articledocument USING GIN (vector)",
]
POSTGRES_DOWN = ["ALTER TABLE search_articledocument DROP COLUMN vector"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_articledocument_articleword")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
