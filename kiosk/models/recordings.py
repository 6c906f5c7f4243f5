"""The Sprachpaten's work (migration 0011): recordings of the spoken texts, made in the browser and
approved by a second person, and German renderings of visitors' comments.

A `Recording` is one take of one text in one language. It names the text twice: by `text_hash`,
the hash of the exact words it says (kiosk/visitor/audio.py), and by `text_key`, what the text is
whatever its wording (the German source text, or "wegweiser:<entry>:<field>"). A take waits
("pending") until a second Sprachpate or a coordinator approves it; then its file is the one the
speaker button plays (`<instance>/audio/<lang>/<hash>.<ext>`). When the words change, the text
gets a new hash: the old recording keeps its row and file for reference, is no longer played,
and its key tells the staff page that this text needs a new recording ("neu aufnehmen").

A `CommentRendering` is a German rendering ("deutsche Fassung") of a free-text answer written in
another language; it goes with the answer (and so with the submission) when that is erased.
"""

from peewee import CharField, DateTimeField, DeferredForeignKey, IntegerField, TextField

from ..clock import utcnow
from .base import BaseModel

RECORDING_STATES = ("pending", "approved")


class Recording(BaseModel):
    """One take of one text in one language, waiting for approval or approved."""

    lang = CharField(max_length=8)
    text_hash = CharField(max_length=16)
    text_key = TextField()  # what the text is, whatever its wording (see the module docstring)
    text = TextField()  # the words it says, as the visitor sees them
    ext = CharField(max_length=8)  # "webm" or "ogg": the container of its file
    size = IntegerField()
    duration_ms = IntegerField()
    state = CharField(default="pending")
    recorded_by = CharField()
    recorded_at = DateTimeField(default=utcnow)
    approved_by = CharField(null=True)
    approved_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("lang", "text_hash", "state"), False),)

    @property
    def pending(self) -> bool:
        return self.state == "pending"

    @classmethod
    def of_language(cls, lang: str):
        """Every take of the language, the newest first (the page picks per text)."""
        return cls.select().where(cls.lang == lang).order_by(cls.recorded_at.desc(), cls.id.desc())

    @classmethod
    def takes_of(cls, lang: str, text_hash: str, state: str):
        return cls.select().where(
            cls.lang == lang,
            cls.text_hash == text_hash,
            cls.state == state,
        )


class CommentRendering(BaseModel):
    """The German rendering of a comment (a free-text answer in another language)."""

    answer = DeferredForeignKey("Answer", unique=True, backref="renderings", on_delete="CASCADE")
    text = TextField()
    by = CharField()
    at = DateTimeField(default=utcnow)


RECORDING_MODELS = (Recording, CommentRendering)


def speaks_for(user, lang: str) -> bool:
    """Whether `user` may record, approve and render comments in `lang`: coordinators and admins
    in every language, a volunteer in those the account names (`speaks`), a variant included
    ("fa" covers "fa-AF")."""
    if user is None or not user.active:
        return False
    if user.may("coordinator"):
        return True
    spoken = set(user.speaks or [])
    return lang in spoken or lang.split("-")[0] in spoken
