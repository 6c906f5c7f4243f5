"""The staff's pages of the directory (/review/wegweiser). Everyone on the staff sees it;
coordinators keep offices and help lines (on a hub: the town-wide directory), volunteers the
Treffpunkt's times and events (a hub has none). Entries from the hub or the program are read-only
on a site until copied here ("Hier anpassen"). Changes and audit: kiosk/review/directory.py.
"""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from ..clock import local_today
from ..directory import entries
from ..directory.hours import format_day
from ..directory.texts import german as german_text
from ..directory.texts import state as text_state
from ..i18n import LANGUAGES
from ..models import DirectoryEntry, Event
from ..models.directory import ENTRY_TEXTS, EVENT_TEXTS
from ..review import directory as changes
from ..review.auth import current_user, login_required, role_required
from ..review.directory import ORIGIN_VERSIONS
from ..review.inbox import need_label, need_options
from . import directory_forms as forms
from . import render_after_post, render_page
from .review import ERRORS, error_page
from .security import allow_larger_bodies

bp = Blueprint("directory", __name__, url_prefix="/review/wegweiser")

for code in ERRORS:
    bp.register_error_handler(code, error_page)

# The directory's forms carry every text in up to ten languages. Sent as multipart (UTF-8 as it
# is, not percent-encoded), the longest fit in twice the usual body limit, which waitress still
# lets through (views/security.py, WAITRESS_BODY_FACTOR).
allow_larger_bodies(bp.name, lambda config: 2 * config["MAX_CONTENT_LENGTH"])


@bp.context_processor
def directory_helpers():
    return {
        "origin_names": changes.ORIGIN_NAMES,
        "origin_versions": ORIGIN_VERSIONS,
        "kind_names": changes.KIND_NAMES,
        "text_names": changes.TEXT_NAMES,
        "appointment_names": changes.APPOINTMENT_NAMES,
        "weekday_names": forms.WEEKDAY_NAMES,
        "format_day": format_day,
        "text_state": text_state,
        "german_text": german_text,
        "text_progress": text_progress,
        "language_dir": language_dir,
        "base_language": base_language,
        "spoken_name": changes.spoken_name,
        "need_label": need_label,
        "on_hub": on_hub(),
    }


def text_progress(texts: dict, field: str) -> changes.Progress:
    """How far one text is translated ("3 von 10 Sprachen")."""
    return changes.progress(texts, [field], language_codes())


def base_language(code: str) -> str:
    """The German name of the language a variant falls back to ("Persisch" for "fa-AF")."""
    base = code.split("-")[0]
    return changes.spoken_name(base) if base != code else ""


def language_dir(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.dir if language else "auto"


def language_codes() -> list[str]:
    return [code for code, _ in forms.visitor_languages()]


def on_hub() -> bool:
    return current_app.config["ROLE"] == "hub"


def only_on_a_site() -> None:
    """A hub keeps the town-wide directory: it has no opening times or events of its own."""
    if on_hub():
        abort(404)


def user_name() -> str:
    return current_user().name


def texts_of(form: forms.TextsForm, before: dict) -> dict:
    """The stored texts with what the form sent, checked by this user today."""
    german, typed = form.german_texts(), form.typed_texts()
    today = local_today().isoformat()  # a check is recorded with the Treffpunkt's date
    return changes.merged_texts(before, german, typed, user_name(), today)


def to_index():
    """After a change: the overview, with the message flashed before."""
    return render_after_post(url_for(".index"), index_page)


# --- The overview ---------------------------------------------------------------------------------


def index_page():
    codes = language_codes()
    found = changes.overview(need_options(), codes)
    context = {"overview": found, "upcoming": [], "past": []}
    if not on_hub():
        treffpunkt_texts = found.treffpunkt.texts if found.treffpunkt else {}
        fields = [spec.field for spec in forms.TREFFPUNKT_TEXTS]
        context.update(
            upcoming=entries.upcoming_events(),
            past=changes.past_events(),
            event_progress=lambda event: changes.progress(event.texts, EVENT_TEXTS, codes),
            treffpunkt_progress=changes.progress(treffpunkt_texts, fields, codes),
        )
    return render_page("directory/index.html", **context)


@bp.get("/")
@login_required
def index():
    return index_page()


# --- Offices and help lines -----------------------------------------------------------------------


def entry_or_404(entry_key: str) -> DirectoryEntry:
    """The entry in force for the key; this Treffpunkt's own has a page of its own."""
    entry = entries.entry(entry_key)
    if entry is None or entry.kind == changes.TREFFPUNKT:
        abort(404)
    return entry


def local_or_400(entry_key: str) -> DirectoryEntry:
    entry = entry_or_404(entry_key)
    if entry.origin != "local":
        abort(400)  # read-only here: its page offers "Hier anpassen" instead
    return entry


def entry_page(entry: DirectoryEntry | None, form=None, status: int = 200):
    """An entry's page: its form for a coordinator and a local (or new) entry, else to read."""
    editable = entry is None or (entry.origin == "local" and current_user().may("coordinator"))
    texts = entry.texts if entry else {}
    return render_page(
        "directory/entry.html",
        status,
        entry=entry,
        form=(form or forms.entry_form(entry)) if editable else None,
        original=changes.original_of(entry) if entry and entry.origin == "local" else None,
        texts=texts,
        text_fields=ENTRY_TEXTS,
        languages=forms.visitor_languages(),
        progress=changes.progress(texts, ENTRY_TEXTS, language_codes()),
    )


def to_entry(key: str):
    """After a change: the entry's page (again), with the message flashed before."""
    return render_after_post(
        url_for(".entry", entry_key=key), lambda: entry_page(entry_or_404(key))
    )


@bp.get("/neu")
@role_required("coordinator")
def new_entry():
    form = forms.entry_form(None)
    form.kind.data = "helpline" if request.args.get("art") == "helpline" else "office"
    return entry_page(None, form)


@bp.post("/neu")
@role_required("coordinator")
def create():
    form = forms.entry_form(None, posted=True)
    if not form.validate():
        return entry_page(None, form, 422)
    entry = changes.create_entry({**form.values(), "texts": texts_of(form, {})}, user_name())
    flash(f"„{entry.name}“ ist angelegt.")
    return to_entry(entry.key)


@bp.get("/eintrag/<entry_key>")
@login_required
def entry(entry_key):
    found = entries.entry(entry_key)
    if found is not None and found.kind == changes.TREFFPUNKT:
        return redirect(url_for(".treffpunkt"), 303)
    return entry_page(entry_or_404(entry_key))


@bp.post("/eintrag/<entry_key>")
@role_required("coordinator")
def save(entry_key):
    entry = local_or_400(entry_key)
    form = forms.entry_form(entry, posted=True)
    if not form.validate():
        return entry_page(entry, form, 422)
    values = {**form.values(), "texts": texts_of(form, entry.texts)}
    changed = changes.update_entry(entry, values, user_name())
    flash(f"Gespeichert: {', '.join(changed)}." if changed else "Es gab nichts zu ändern.")
    return to_entry(entry.key)


@bp.post("/eintrag/<entry_key>/bestaetigen")
@role_required("coordinator")
def confirm(entry_key):
    entry = local_or_400(entry_key)
    if entry.example:
        changes.confirm_entry(entry, user_name())
        flash(f"„{entry.name}“ ist bestätigt und nicht mehr als Beispiel markiert.")
    return to_entry(entry.key)


@bp.post("/eintrag/<entry_key>/anpassen")
@role_required("coordinator")
def adapt(entry_key):
    original = entry_or_404(entry_key)
    if original.origin != "local":
        changes.adapt_entry(original, user_name())
        flash(
            f"„{original.name}“ gilt hier jetzt in einer eigenen Fassung, die Sie ändern können."
            f" Wird sie gelöscht, gilt wieder die Fassung {ORIGIN_VERSIONS[original.origin]}."
        )
    return to_entry(original.key)


@bp.get("/eintrag/<entry_key>/loeschen")
@role_required("coordinator")
def delete_question(entry_key):
    entry = entry_or_404(entry_key)
    back = url_for(".entry", entry_key=entry_key)
    if entry.origin != "local":
        return redirect(back, 303)
    original = changes.original_of(entry)
    if original:
        what = f"Eigene Fassung von „{entry.name}“"
        then = f"Danach gilt wieder die Fassung {ORIGIN_VERSIONS[original.origin]}."
    else:
        what = f"„{entry.name}“"
        then = "Der Eintrag verschwindet aus dem Wegweiser und aus der Liste der Anliegen."
    return delete_page(what, then, url_for(".delete", entry_key=entry_key), back)


def delete_page(what: str, consequence: str, action: str, back: str):
    return render_page(
        "directory/delete.html", what=what, consequence=consequence, action=action, back=back
    )


@bp.post("/eintrag/<entry_key>/loeschen")
@role_required("coordinator")
def delete(entry_key):
    entry = local_or_400(entry_key)
    original = changes.delete_entry(entry)
    if original:
        version = ORIGIN_VERSIONS[original.origin]
        flash(f"Die eigene Fassung ist gelöscht; es gilt wieder die Fassung {version}.")
    else:
        flash(f"„{entry.name}“ ist gelöscht.")
    return to_index()


# --- This Treffpunkt's own times ------------------------------------------------------------------


def treffpunkt_entry() -> DirectoryEntry | None:
    only_on_a_site()
    return changes.local_treffpunkt() or entries.treffpunkt()


def treffpunkt_page(entry: DirectoryEntry | None, form, status: int = 200):
    texts = entry.texts if entry else {}
    form = form or forms.treffpunkt_form(entry)
    return render_page("directory/treffpunkt.html", status, entry=entry, form=form, texts=texts)


@bp.get("/treffpunkt")
@login_required
def treffpunkt():
    return treffpunkt_page(treffpunkt_entry(), None)


@bp.post("/treffpunkt")
@login_required
def save_times():
    entry = treffpunkt_entry()
    form = forms.treffpunkt_form(entry, posted=True)
    if not form.validate():
        return treffpunkt_page(entry, form, 422)
    values = {**form.values(), "texts": texts_of(form, entry.texts if entry else {})}
    changes.save_treffpunkt(values, current_app.config["SITE_NAME"], user_name())
    flash("Die Zeiten des Treffpunkts sind gespeichert.")
    return to_index()


@bp.post("/treffpunkt/bestaetigen")
@login_required
def confirm_times():
    """The Treffpunkt's own example entry (the demo's) checked on site."""
    only_on_a_site()
    entry = changes.local_treffpunkt() or abort(404)
    if entry.example:
        changes.confirm_entry(entry, user_name())
        flash("Die Zeiten des Treffpunkts sind bestätigt und nicht mehr als Beispiel markiert.")
    return render_after_post(url_for(".treffpunkt"), lambda: treffpunkt_page(entry, None))


# --- Events ---------------------------------------------------------------------------------------


def event_or_404(event_id: int) -> Event:
    only_on_a_site()
    return Event.get_or_none(Event.id == event_id) or abort(404)


def event_page(event: Event | None, form, status: int = 200):
    texts = event.texts if event else {}
    return render_page("directory/event.html", status, event=event, form=form, texts=texts)


def event_values(form: forms.EventForm, before: dict) -> dict:
    starts_at, ends_at = form.times()
    return {"texts": texts_of(form, before), "starts_at": starts_at, "ends_at": ends_at}


@bp.get("/termine/neu")
@login_required
def new_event():
    only_on_a_site()
    return event_page(None, forms.event_form(None))


@bp.post("/termine/neu")
@login_required
def add_event():
    only_on_a_site()
    form = forms.event_form(None, posted=True)
    if not form.validate():
        return event_page(None, form, 422)
    event = changes.create_event(event_values(form, {}), user_name())
    flash(f"Der Termin „{changes.event_title(event)}“ ist eingetragen.")
    return to_index()


@bp.get("/termine/<int:event_id>")
@login_required
def event(event_id):
    found = event_or_404(event_id)
    return event_page(found, forms.event_form(found))


@bp.post("/termine/<int:event_id>")
@login_required
def save_event(event_id):
    found = event_or_404(event_id)
    form = forms.event_form(found, posted=True)
    if not form.validate():
        return event_page(found, form, 422)
    changed = changes.update_event(found, event_values(form, found.texts), user_name())
    flash(f"Gespeichert: {', '.join(changed)}." if changed else "Es gab nichts zu ändern.")
    return to_index()


@bp.get("/termine/<int:event_id>/loeschen")
@login_required
def delete_event_question(event_id):
    found = event_or_404(event_id)
    return delete_page(
        f"Termin „{changes.event_title(found)}“",
        "Der Termin verschwindet aus dem Wegweiser.",
        url_for(".remove_event", event_id=event_id),
        url_for(".event", event_id=event_id),
    )


@bp.post("/termine/<int:event_id>/loeschen")
@login_required
def remove_event(event_id):
    found = event_or_404(event_id)
    changes.delete_event(found)
    flash(f"Der Termin „{changes.event_title(found)}“ ist gelöscht.")
    return to_index()
