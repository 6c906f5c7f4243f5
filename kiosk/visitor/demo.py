"""Demo data: a realistic mix of submissions across months, languages and forms."""

import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from ..clock import TIMEZONE
from ..db import this_site
from ..formspec import NO_ANSWER, Field, FormSpec
from ..models import FormVersion, Submission
from .submissions import store_submission

# Roughly who comes to a Treffpunkt in Wildeshausen, by the language they choose.
LANGUAGE_WEIGHTS = {
    "ar": 24, "de": 14, "uk": 14, "fa": 12, "ku": 10, "tr": 8, "ps": 7, "ru": 6, "ti": 5, "en": 4,
}  # fmt: skip
FORM_WEIGHTS = {"visit": 60, "feedback": 25, "intake": 15}
NICKNAMES = [
    "Amina",
    "Yusuf",
    "Olena",
    "Reza",
    "Hevin",
    "Tesfay",
    "Ayşe",
    "Dmytro",
    "Laila",
    "Omar",
]
CONTACTS = ["+49 1512 3456789", "0176 12345678", "amina@example.org"]
OTHER_NEEDS = ["Führerschein", "Konto bei der Bank", "Fahrrad", "Anerkennung meines Diploms"]
COMMENTS = [
    "Danke für die Hilfe beim Brief vom Jobcenter.",
    "شكراً على المساعدة، الموظفون لطيفون جداً.",
    "ممنون برای کمک با کلاس زبان.",
    "Дякую за допомогу з документами.",
    "Spas ji bo alîkariyê.",
    "ስለ ሓገዝኩም የቐንየለይ።",
    "Mehr Zeit für Fragen wäre gut.",
    "Çocuklar için daha çok oyun olsa iyi olur.",
]


def fill_demo_data(forms: dict[str, FormSpec], count: int, months: int, seed: int) -> int:
    """Store `count` submissions spread over the last `months` months; returns how many."""
    # Seeded by what is stored already, so a second run adds new submissions, not the same UUIDs.
    rng = random.Random(f"{seed}-{Submission.select().count()}")
    site = this_site()
    slugs = [slug for slug in FORM_WEIGHTS if slug in forms] or list(forms)
    weights = [FORM_WEIGHTS.get(slug, 1) for slug in slugs]
    versions = {slug: FormVersion.for_spec(forms[slug]).id for slug in slugs}
    now = datetime.now(UTC).replace(microsecond=0)
    for _ in range(count):
        slug = rng.choices(slugs, weights)[0]
        store_submission(
            forms[slug],
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            version_id=versions[slug],
            answers=demo_answers(forms[slug], rng),
            lang=rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0],
            site=site,
            created_at=opening_hours_moment(now, months, rng),
        )
    return count


def opening_hours_moment(now: datetime, months: int, rng: random.Random) -> datetime:
    """A weekday between 9 and 17 o'clock Wildeshausen time, stored as naive UTC like the app."""
    while True:
        local = (now - timedelta(days=rng.uniform(0, months * 30.4))).astimezone(TIMEZONE)
        if local.weekday() < 5:
            local = local.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59))
            return local.astimezone(UTC).replace(tzinfo=None)


def demo_answers(spec: FormSpec, rng: random.Random) -> dict:
    answers: dict = {}
    for field in spec.fields:
        if not field.is_visible(answers):
            continue
        if not field.required and field.type != "consent" and rng.random() < 0.15:
            continue
        if field.prefer_not_to_say and rng.random() < 0.06:
            answers[field.name] = NO_ANSWER
            continue
        value = demo_value(field, rng)
        if value is not None:
            answers[field.name] = value
    return answers


def demo_value(field: Field, rng: random.Random):
    """A plausible answer for one field, within its constraints."""
    values = [option.value for option in field.options if option.value != NO_ANSWER]
    if field.type == "rating":
        return rng.choices(values, weights=[1, 2, 5, 12, 14][: len(values)])[0]
    if field.type in ("single", "yesno"):
        return rng.choice(values)
    if field.type == "multiple":
        most = min(len(values), field.max or 3, 3)
        return rng.sample(values, rng.randint(max(field.min or 1, 1), max(most, 1)))
    if field.type == "consent":
        return "yes"
    if field.type == "year":
        return str(
            rng.randint(max(field.min or 2014, 2014), min(field.max or 2026, date.today().year))
        )
    if field.type == "number":
        return str(rng.randint(field.min if field.min is not None else 1, field.max or 8))
    if field.type == "date":
        return (date.today() - timedelta(days=rng.randint(0, 365))).isoformat()
    return demo_text(field, rng)


def demo_text(field: Field, rng: random.Random) -> str | None:
    if field.type == "textarea":
        pool = COMMENTS
    elif field.pattern:
        pool = [text for text in CONTACTS if re.fullmatch(field.pattern, text)]
    else:
        pool = NICKNAMES if (field.max_length or 200) <= 60 else OTHER_NEEDS
    pool = [text for text in pool if len(text) <= (field.max_length or 2000)]
    return rng.choice(pool) if pool else None
