"""The visitor's path: language, form, one question per screen, summary, submit, thank-you."""

from functools import wraps
from uuid import UUID

from babel.lists import format_list
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale, gettext, ngettext
from flask_wtf.csrf import generate_csrf
from peewee import IntegrityError
from werkzeug.datastructures import MultiDict

from ..db import this_site
from ..formspec import NO_ANSWER, FormSpec
from ..i18n import LANGUAGES, offered_languages
from ..models import Draft, FormVersion, Submission, spec_of_version
from ..visitor.offline import worker_script
from ..visitor.submissions import RefusedReplay, replay_submission, store_submission
from . import render_page

bp = Blueprint("kiosk", __name__)


@bp.before_request
def no_visitors_on_a_hub():
    # The Stadthaus hub offers no visitor forms: its start page is the staff's dashboard.
    if current_app.config["ROLE"] == "hub":
        return redirect(url_for("hub.dashboard"))
    return None


@bp.url_value_preprocessor
def pull_language(endpoint, values):
    if values and "lang" in values:
        code = values.pop("lang")
        if code not in {lang.code for lang in offered_languages(current_app.config)}:
            abort(404)
        g.language = LANGUAGES[code]


@bp.url_defaults
def add_language(endpoint, values):
    if (
        "lang" not in values
        and g.get("language")
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    ):
        values["lang"] = g.language.code


@bp.app_context_processor
def kiosk_helpers():
    return {
        "retention_sentence": retention_sentence,
        "seconds_labels": seconds_labels,
        "offline_submission": offline_submission,
    }


def retention_sentence(days: int) -> str:
    """How long personal answers are kept, in whole months where that reads more naturally."""
    if days >= 60:
        months = round(days / 30)
        return ngettext(
            "Wir löschen Ihre persönlichen Angaben nach %(num)s Monat.",
            "Wir löschen Ihre persönlichen Angaben nach %(num)s Monaten.",
            months,
        )
    return ngettext(
        "Wir löschen Ihre persönlichen Angaben nach %(num)s Tag.",
        "Wir löschen Ihre persönlichen Angaben nach %(num)s Tagen.",
        days,
    )


def language_list(items: list[str]) -> str:
    """Several answers listed as the visitor's language does it ("A, B und C", "A، B و C")."""
    return format_list(items, locale=get_locale())


def seconds_labels(most: int) -> list[str]:
    """The idle countdown's unit for 0..most seconds, with each language's plural forms."""
    return [ngettext("Sekunde", "Sekunden", n) for n in range(most + 1)]


def offline_submission(spec: FormSpec, draft: Draft) -> dict:
    """What the browser queues if the final submit cannot reach the server: no more than that.

    The answers are those the summary shows; the form version pins the rules they obey.
    """
    return {
        "uuid": str(draft.uuid),
        "form": spec.slug,
        "version": draft.form_version.version_hash,
        "lang": draft.lang,
        "answers": spec.visible_answers(draft.answers),
    }


def forms() -> dict[str, FormSpec]:
    return current_app.extensions["kiosk_forms"]


def find_draft(form_slug: str, draft_id: UUID) -> Draft | None:
    return (
        Draft.select(Draft, FormVersion)
        .join(FormVersion)
        .where(Draft.uuid == draft_id, FormVersion.slug == form_slug)
        .first()
    )


def draft_gone(draft_id: UUID):
    """Where to go when a draft no longer exists: its thank-you if it was sent, else the start."""
    if Submission.get_or_none(Submission.uuid == draft_id):
        return redirect(url_for("kiosk.thanks", submission_id=draft_id), 303)
    return redirect(url_for("kiosk.start"), 303)


@bp.get("/")
def start():
    return render_page("kiosk/start.html", languages=offered_languages(current_app.config))


@bp.get("/<lang>/")
def choose():
    return render_page("kiosk/choose.html", forms=list(forms().values()))


@bp.post("/<lang>/<form_slug>/")
def start_form(form_slug):
    spec = forms().get(form_slug) or abort(404)
    Draft.expired(current_app.config["DRAFT_MAX_AGE_HOURS"]).execute()
    draft = Draft.create(form_version=FormVersion.for_spec(spec), lang=g.language.code)
    first = spec.visible_fields({})[0]
    return redirect(step_url(spec, draft, first.name), 303)


@bp.get("/<lang>/<form_slug>/")
def form_home(form_slug):
    forms().get(form_slug) or abort(404)
    return redirect(url_for("kiosk.choose"), 303)


def step_context(spec: FormSpec, draft: Draft, field, form, message=None) -> dict:
    visible = spec.visible_fields(draft.answers)
    names = [f.name for f in visible]
    position = names.index(field.name) if field.name in names else 0
    return {
        "spec": spec,
        "draft": draft,
        "field": field,
        "form": form,
        "position": position + 1,
        "total": len(visible),
        "previous": visible[position - 1] if position > 0 else None,
        "review": request.values.get("review") == "1",
        "message": message,
    }


def posted_answer() -> MultiDict:
    """The posted form data, with the "prefer not to say" button turned into that answer."""
    if request.form.get("no_answer"):
        return MultiDict({"answer": NO_ANSWER, "csrf_token": request.form.get("csrf_token", "")})
    return request.form


def next_location(spec: FormSpec, draft: Draft, field) -> str:
    """The step after `field` among the fields now visible, or the summary at the end."""
    visible = spec.visible_fields(draft.answers)
    names = [f.name for f in visible]
    later = visible[names.index(field.name) + 1 :] if field.name in names else []
    if later and request.form.get("review") != "1":
        return step_url(spec, draft, later[0].name)
    missing = first_missing(spec, draft.answers)
    if missing:
        return step_url(spec, draft, missing.name)
    return url_for("kiosk.summary", form_slug=spec.slug, draft_id=draft.uuid)


def first_missing(spec: FormSpec, answers: dict):
    """The first visible required field without an answer, if any."""
    return next(
        (f for f in spec.visible_fields(answers) if f.required and answers.get(f.name) is None),
        None,
    )


def with_draft(view):
    """Load the form session from the URL, or send the visitor where it went."""

    @wraps(view)
    def wrapped(form_slug, draft_id, **kwargs):
        draft = find_draft(form_slug, draft_id)
        if draft is None:
            return draft_gone(draft_id)
        return view(spec_of_version(draft.form_version), draft, **kwargs)

    return wrapped


def step_url(spec: FormSpec, draft: Draft, name: str) -> str:
    return url_for("kiosk.step", form_slug=spec.slug, draft_id=draft.uuid, name=name)


@bp.route("/<lang>/<form_slug>/<uuid:draft_id>/step/<name>", methods=["GET", "POST"])
@with_draft
def step(spec, draft, name):
    try:
        field = spec.field(name)
    except KeyError:
        abort(404)
    if request.method == "GET":
        form = field.make_form(gettext, value=draft.answers.get(name))
        return render_page("kiosk/step.html", **step_context(spec, draft, field, form))
    return answer_step(spec, draft, field)


def answer_step(spec: FormSpec, draft: Draft, field):
    form = field.make_form(gettext, formdata=posted_answer())
    going_back = request.form.get("direction") == "back"
    if form.validate():
        draft.set_answer(field.name, field.stored_value(form))
        if spec.one_tap:
            return submit_draft(spec, draft)
    elif not going_back:
        context = step_context(spec, draft, field, form)
        return render_page("kiosk/step.html", status=422, **context)
    if going_back:
        return go_back(spec, draft, field)
    return redirect(next_location(spec, draft, field), 303)


def go_back(spec: FormSpec, draft: Draft, field):
    """One step back; from the first step (or a refused consent) back to the form chooser."""
    previous = step_context(spec, draft, field, None)["previous"]
    if previous is None:
        Draft.delete().where(Draft.uuid == draft.uuid).execute()
        return redirect(url_for("kiosk.choose"), 303)
    target = step_url(spec, draft, previous.name)
    return redirect(target, 303)


@bp.get("/<lang>/<form_slug>/<uuid:draft_id>/summary")
@with_draft
def summary(spec, draft):
    return render_summary(spec, draft)


def render_summary(spec: FormSpec, draft: Draft, message=None, status=200):
    rows = [
        (field, field.display(draft.answers.get(field.name), gettext, join=language_list))
        for field in spec.visible_fields(draft.answers)
    ]
    return render_page(
        "kiosk/summary.html", status=status, spec=spec, draft=draft, rows=rows, message=message
    )


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/submit")
@with_draft
def submit(spec, draft):
    missing = first_missing(spec, draft.answers)
    if missing:
        target = step_url(spec, draft, missing.name)
        return redirect(target, 303)
    return submit_draft(spec, draft)


def submit_draft(spec: FormSpec, draft: Draft):
    """Store the draft as a submission once; thank the visitor only after the commit returned."""
    try:
        store_submission(
            spec,
            uuid=draft.uuid,
            version_id=draft.form_version_id,
            answers=draft.answers,
            lang=g.language.code,
            site=this_site(),
        )
    except IntegrityError:
        # A double tap or a retry: the first request already stored this UUID.
        if not Submission.get_or_none(Submission.uuid == draft.uuid):
            raise
    return redirect(url_for("kiosk.thanks", submission_id=draft.uuid), 303)


@bp.get("/<lang>/thanks/<uuid:submission_id>")
def thanks(submission_id):
    if not Submission.get_or_none(Submission.uuid == submission_id):
        return redirect(url_for("kiosk.start"), 303)
    return render_page("kiosk/thanks.html")


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/reset")
def reset(form_slug, draft_id):
    """Discard a visitor's unfinished answers (idle timeout, cancel, or consent refused)."""
    Draft.delete().where(Draft.uuid == draft_id).execute()
    if request.args.get("quiet"):  # the idle timer's fetch goes to the start page by itself
        return "", 204
    return redirect(url_for("kiosk.start"), 303)


def retry_after_csrf_error():
    """A stale or missing CSRF token on a kiosk page: keep the answer and ask to press again."""
    args = request.view_args or {}
    message = gettext("Die Seite war zu lange offen. Bitte tippen Sie noch einmal.")
    draft = find_draft(args.get("form_slug", ""), args["draft_id"]) if "draft_id" in args else None
    if draft is None:
        return None
    spec = spec_of_version(draft.form_version)
    if request.endpoint == "kiosk.step":
        try:
            field = spec.field(args["name"])
        except KeyError:  # no such question: the plain error page
            return None
        form = field.make_form(gettext, formdata=posted_answer())
        form.validate()
        form.csrf_token.errors = []
        return render_page(
            "kiosk/step.html", status=422, **step_context(spec, draft, field, form, message)
        )
    return render_summary(spec, draft, message=message, status=422)


@bp.get("/<lang>/offline")
def offline_page():
    """Shown by the service worker instead of the browser's error page while the server is away."""
    return render_page("kiosk/offline.html")


@bp.get("/sw.js")
def service_worker():
    response = current_app.response_class(worker_script(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for("kiosk.start")
    return response


@bp.get("/healthz")
def health():
    """The offline banner asks here whether the server answers again."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/offline/token")
def offline_token():
    """A fresh CSRF token for a queued submission or a page that came from the cache."""
    return jsonify(token=generate_csrf())


@bp.post("/offline/replay")
def replay():
    """Store a submission the browser queued while the server was away; once per UUID."""
    languages = {language.code for language in offered_languages(current_app.config)}
    try:
        status = replay_submission(
            request.get_json(silent=True),
            languages,
            site=this_site,
        )
    except RefusedReplay as problem:
        return jsonify(error="bad_request", message=str(problem)), 400
    return jsonify(status=status), 201 if status == "stored" else 200
