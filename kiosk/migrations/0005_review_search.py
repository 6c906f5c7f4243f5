"""The review at scale: indexes for the inbox, follow-up and purge; full-text search (SQLite).

Indexes (both databases):

- `submission (created_at, id, status, form_version_id, lang)`: the inbox's order with the
  columns its filters test, so a page and its count read this index alone, never the rows;
- `answer (field, submission_id)`: "the needs of these submissions", "the personal answers of
  these submissions" without reading the answer rows.

Full-text search (SQLite only; the hub on PostgreSQL holds no submissions, its search stays
`LIKE`): `answer_fts`, an FTS5 table with the trigram tokenizer, so that three or more
characters find every answer containing them, as `LIKE '%…%'` did, without reading every answer.
It is *external content*: it keeps only the index, never a copy of the text. It holds the
answers to free-text questions (text and textarea) only; which fields those are per form version
is in `answer_search_field`, filled from each stored spec by a trigger on `form_version`.
Triggers on `answer` keep the index in step, so the visitor path stores answers as before, and
an answer deleted (erasure, purge, cascade) is deleted from the index in the same transaction.
FTS5 only marks deleted entries until its segments are merged; the erasure and the purge merge
them (`optimize`), so with secure_delete and the WAL checkpoint no trace of the text remains.

Without FTS5 or the trigram tokenizer (SQLite before 3.34), nothing of it is created and the
search keeps using `LIKE`.
"""

import sqlite3

from peewee import Database, SqliteDatabase
from playhouse.migrate import SchemaMigrator, migrate

# Which (form version, field) the index holds, from a spec's JSON: its text and textarea fields.
SEARCH_FIELDS_OF = """
    SELECT {version}, json_extract(f.value, '$.name')
    FROM json_each({spec}, '$.fields') AS f
    WHERE json_extract(f.value, '$.type') IN ('text', 'textarea')
"""
IS_SEARCHED = """
    EXISTS (SELECT 1 FROM submission AS s
            JOIN answer_search_field AS f
              ON f.form_version_id = s.form_version_id AND f.field = {row}.field
            WHERE s.id = {row}.submission_id)
"""
# An external-content FTS5 table must be told the exact text it indexed to forget a row; its
# docsize table has a row for every row it indexed, so that is what tells whether to.
IS_INDEXED = "EXISTS (SELECT 1 FROM answer_fts_docsize WHERE id = {row}.id)"

FTS_SCHEMA = [
    """CREATE TABLE answer_search_field (
        form_version_id INTEGER NOT NULL,
        field VARCHAR(255) NOT NULL,
        PRIMARY KEY (form_version_id, field)
    ) WITHOUT ROWID""",
    "INSERT INTO answer_search_field "
    + SEARCH_FIELDS_OF.format(version="v.id", spec="v.spec").replace(
        "FROM json_each", "FROM form_version AS v, json_each"
    ),
    f"""CREATE TRIGGER form_version_search_fields AFTER INSERT ON form_version BEGIN
        INSERT OR IGNORE INTO answer_search_field
        {SEARCH_FIELDS_OF.format(version="new.id", spec="new.spec")};
    END""",
    """CREATE TRIGGER form_version_search_fields_gone AFTER DELETE ON form_version BEGIN
        DELETE FROM answer_search_field WHERE form_version_id = old.id;
    END""",
    """CREATE VIRTUAL TABLE answer_fts USING fts5(
        value, content='answer', content_rowid='id', tokenize='trigram'
    )""",
    """INSERT INTO answer_fts (rowid, value)
        SELECT a.id, a.value FROM answer_search_field AS f
        JOIN submission AS s ON s.form_version_id = f.form_version_id
        JOIN answer AS a ON a.submission_id = s.id AND a.field = f.field""",
    "INSERT INTO answer_fts (answer_fts) VALUES ('optimize')",
    f"""CREATE TRIGGER answer_fts_insert AFTER INSERT ON answer
        WHEN {IS_SEARCHED.format(row="new")} BEGIN
        INSERT INTO answer_fts (rowid, value) VALUES (new.id, new.value);
    END""",
    f"""CREATE TRIGGER answer_fts_delete AFTER DELETE ON answer
        WHEN {IS_INDEXED.format(row="old")} BEGIN
        INSERT INTO answer_fts (answer_fts, rowid, value) VALUES ('delete', old.id, old.value);
    END""",
    f"""CREATE TRIGGER answer_fts_update AFTER UPDATE OF submission_id, field, value ON answer
        BEGIN
        INSERT INTO answer_fts (answer_fts, rowid, value)
            SELECT 'delete', old.id, old.value WHERE {IS_INDEXED.format(row="old")};
        INSERT INTO answer_fts (rowid, value)
            SELECT new.id, new.value WHERE {IS_SEARCHED.format(row="new")};
    END""",
]


def trigram_available() -> bool:
    """Whether this SQLite library has FTS5 with the trigram tokenizer (3.34 and later)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def apply(database: Database) -> None:
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_index(
            "submission", ("created_at", "id", "status", "form_version_id", "lang"), False
        ),
        migrator.add_index("answer", ("field", "submission_id"), False),
    )
    if isinstance(database, SqliteDatabase) and trigram_available():
        for statement in FTS_SCHEMA:
            database.execute_sql(statement)
