"""Free-text search of the answers: the full-text index where there is one, LIKE elsewhere.

The inbox's search box (review/inbox.py) looks here for the submissions whose text or textarea
answers contain what was typed; erasure and purge merge the index, so no deleted text lingers.
"""

from functools import reduce
from operator import or_

from peewee import Expression, SqliteDatabase, Table

from ..extensions import db
from ..models import Answer, FormVersion, Submission, spec_of_version

FREE_TEXT_TYPES = ("text", "textarea")


def free_text_fields() -> dict[int, list[str]]:
    """{form version id: names of its text and textarea fields}."""
    fields = {}
    for version in FormVersion.select():
        spec = spec_of_version(version)
        names = [field.name for field in spec.fields if field.type in FREE_TEXT_TYPES]
        if names:
            fields[version.id] = names
    return fields


# The full-text index of free-text answers (migration 0005, SQLite with FTS5): the answers'
# ids by their trigrams. External content: the text itself stays in `answer` only.
ANSWER_FTS = Table("answer_fts", ("rowid", "value"))
SEARCH_MIN_LENGTH = 3  # characters: the trigram tokenizer finds nothing shorter


def search_index_available() -> bool:
    """Whether this database has the full-text index (SQLite with FTS5's trigram tokenizer)."""
    if not isinstance(db.obj, SqliteDatabase):
        return False
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answer_fts'"
    return db.execute_sql(query).fetchone() is not None


def merge_search_deletions() -> None:
    """Rewrite the full-text index without the entries of deleted answers.

    A deleted answer's entries are at first only marked deleted by FTS5: its trigrams stay in the
    file beside the mark until the segments are merged. Merging all of them (`optimize`) drops
    both; secure_delete overwrites the freed pages and the WAL checkpoint that follows an erasure
    or purge empties the log. (At 100,000 submissions the index is about 1 MB: some 20 ms.)
    """
    if search_index_available():
        db.execute_sql("INSERT INTO answer_fts (answer_fts) VALUES ('optimize')")


def free_text_matches(text: str):
    """Ids of submissions with a free-text answer containing `text`, case-insensitively.

    From three characters on, the full-text index answers: `text` is one quoted FTS5 phrase
    (quotes doubled), so no character of it is FTS5 syntax, and the trigram tokenizer makes the
    phrase "these characters in this order", a substring like LIKE's, with case folded in every
    script (LIKE folds only A to Z). Shorter texts, and databases without the index (PostgreSQL,
    which holds no submissions, the hub's), use LIKE on the free-text answers; `contains`
    escapes % and _ (LIKE … ESCAPE '\\'), so they match only themselves. A NUL character is
    dropped: SQLite's LIKE and FTS5 would end the text there.
    """
    text = text.replace("\x00", "")
    if len(text) >= SEARCH_MIN_LENGTH and search_index_available():
        phrase = '"' + text.replace('"', '""') + '"'
        ids = ANSWER_FTS.select(ANSWER_FTS.rowid).where(
            Expression(ANSWER_FTS.value, "MATCH", phrase)
        )
        return Answer.select(Answer.submission).where(Answer.id.in_(ids))
    fields = free_text_fields()
    per_version = [
        (Submission.form_version == version_id) & Answer.field.in_(names)
        for version_id, names in fields.items()
    ]
    if not per_version:
        return Answer.select(Answer.submission).where(Answer.id.is_null())
    every_name = sorted({name for names in fields.values() for name in names})
    return (
        Answer.select(Answer.submission)
        .join(Submission)
        .where(
            Answer.field.in_(every_name),  # so only free-text answers are read
            reduce(or_, per_version),
            Answer.value.contains(text),
        )
    )
