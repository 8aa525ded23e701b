"""The search index table (onewindow/catalogue/search.py). Raw SQL: an FTS5 virtual table on SQLite and a
table with a generated, GIN-indexed tsvector on PostgreSQL have no Django model. Fill it with
``onewindow catalogue_search_rebuild``."""

from django.db import migrations

SQLITE = [
    # Words are cut by jieba before they get here and joined by spaces, so unicode61 only splits on spaces.
    "CREATE VIRTUAL TABLE catalogue_search USING fts5("
    "kind UNINDEXED, ref UNINDEXED, title UNINDEXED, name, keywords, body, materials, tokenize='unicode61')",
]
POSTGRESQL = [
    "CREATE TABLE catalogue_search ("
    "id bigint PRIMARY KEY, kind varchar(10) NOT NULL, ref varchar(50) NOT NULL, "
    "title varchar(200) NOT NULL, name text NOT NULL, keywords text NOT NULL, body text NOT NULL, "
    "materials text NOT NULL, "
    # Weights A–C rank a word in the name above the same word in the keywords or the body. The materials
    # have a vector of their own (weight D): searched only when the rest finds little, and a query that
    # matches whole vectors can use the GIN index where a weight-restricted one (:ABC) must recheck rows.
    "document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', keywords), 'B') || "
    "setweight(to_tsvector('simple', body), 'C')) STORED, "
    "materials_document tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', materials), 'D')) STORED)",
    "CREATE INDEX catalogue_search_document ON catalogue_search USING gin (document)",
    "CREATE INDEX catalogue_search_materials ON catalogue_search USING gin (materials_document)",
    "CREATE INDEX catalogue_search_ref ON catalogue_search (kind, ref)",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise RuntimeError(f"catalogue search supports SQLite and PostgreSQL, not {vendor}")
    for statement in SQLITE if vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS catalogue_search")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
