"""Demo data: a realistic mix of submissions across months, languages and forms."""

import json
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from ..clock import TIMEZONE, local_time, local_today
from ..db import this_site
from ..directory.builtin import EXAMPLES_PATH
from ..formspec import NO_ANSWER, Field, FormSpec
from ..models import CaseChange, FormVersion, NeedCase, Submission
from ..models.casework import CASE_FIELDS
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
VOLUNTEERS = ["Anna", "Jutta", "Mehmet", "Olga"]
OUTCOMES = [
    "Termin vereinbart",
    "Antrag ist abgegeben",
    "Platz ab dem nächsten Kurs",
    "Unterlagen sind vollständig",
    "Beratung hat stattgefunden",
]
# The status of a need by its age in days: (younger than, {status: weight}).
CASE_STATES = (
    (7, {"open": 6, "in_progress": 3, "handed_over": 1}),
    (21, {"open": 2, "in_progress": 3, "handed_over": 4, "done": 1}),
    (10**6, {"open": 1, "in_progress": 1, "handed_over": 3, "done": 4, "not_needed": 1}),
)


def fill_demo_data(forms: dict[str, FormSpec], count: int, months: int, seed: int) -> int:
    """Store `count` submissions spread over the last `months` months; returns how many."""
    # Seeded by what is stored already, so a second run adds new submissions, not the same UUIDs.
    rng = random.Random(f"{seed}-{Submission.select().count()}")
    site = this_site()
    slugs = [slug for slug in FORM_WEIGHTS if slug in forms] or list(forms)
    weights = [FORM_WEIGHTS.get(slug, 1) for slug in slugs]
    versions = {slug: FormVersion.for_spec(forms[slug]).id for slug in slugs}
    now = datetime.now(UTC).replace(microsecond=0)
    stored = []
    for _ in range(count):
        slug = rng.choices(slugs, weights)[0]
        submission = store_submission(
            forms[slug],
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            version_id=versions[slug],
            answers=demo_answers(forms[slug], rng),
            lang=rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0],
            site=site,
            created_at=opening_hours_moment(now, months, rng),
        )
        stored.append(submission.id)
    fill_demo_casework(stored, random.Random(f"{seed}-cases-{stored[:1]}"))
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


# --- Casework: the demo's needs followed up as volunteers would --------------------------------


def fill_demo_casework(submission_ids: list[int], rng: random.Random) -> None:
    """Give the cases of these submissions states by their age, with their history: recent
    ones open, older ones handed over to the demo's example offices with a Wiedervorlage (some
    overdue), done with an outcome, or no longer needed."""
    offices = example_offices()
    today = local_today()
    now = datetime.now(UTC).replace(tzinfo=None)
    cases = NeedCase.select().where(NeedCase.submission.in_(submission_ids))
    for case in cases.order_by(NeedCase.id):
        age = (today - local_time(case.created_at).date()).days
        weights = next(states for younger, states in CASE_STATES if age < younger)
        status = rng.choices(list(weights), list(weights.values()))[0]
        if status == "handed_over" and case.need not in offices:
            status = "in_progress"  # no example office for it
        if status == "open":
            continue
        at = min(case.created_at + timedelta(days=rng.uniform(0.05, min(age, 5) + 0.1)), now)
        demo_change(case, demo_values(case.need, status, offices, at, rng), at, rng)


def example_offices() -> dict[str, tuple[str, str]]:
    """{need: (key, name)} of the first example office covering it (directory/data)."""
    document = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    offices: dict[str, tuple[str, str]] = {}
    for entry in document["entries"]:
        for need in entry.get("needs", []) if entry["kind"] == "office" else []:
            offices.setdefault(need, (entry["key"], entry["name"]))
    return offices


def demo_values(need: str, status: str, offices: dict, at: datetime, rng) -> dict:
    """The fields a volunteer would have set for `status` at the moment `at`."""
    values: dict = {"status": status}
    if status in ("handed_over", "done") and need in offices:
        values["office_key"], values["office_name"] = offices[need]
        values["handed_over_on"] = local_time(at).date()
    if status in ("in_progress", "handed_over"):
        # Looked at again within three weeks; about a third are overdue.
        days = rng.randint(-10, -1) if rng.random() < 0.35 else rng.randint(0, 21)
        values["due"] = local_today() + timedelta(days=days)
    if status == "done":
        values["outcome"] = rng.choice(OUTCOMES)
    return values


def demo_change(case: NeedCase, values: dict, at: datetime, rng: random.Random) -> None:
    """Set `values` on the case and record them as one change by a demo volunteer at `at`."""

    def stored(value):
        return value.isoformat() if isinstance(value, date) else value

    before = {field: stored(getattr(case, field)) for field in CASE_FIELDS if field in values}
    for field, value in values.items():
        setattr(case, field, value)
    case.updated_at = at
    case.save()
    after = {field: stored(value) for field, value in values.items()}
    user_name = rng.choice(VOLUNTEERS)
    CaseChange.create(case=case, before=before, after=after, user_name=user_name, at=at)
