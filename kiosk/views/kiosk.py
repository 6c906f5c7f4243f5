"""The visitor's path: language, form, one question per screen, summary, submit, thank-you."""

from functools import lru_cache, wraps
from urllib.parse import quote
from uuid import UUID

from babel.lists import format_list
from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_wtf.csrf import generate_csrf
from peewee import IntegrityError
from werkzeug.datastructures import MultiDict

from ..db import this_site
from ..formspec import NO_ANSWER, FormSpec
from ..i18n import LANGUAGES, offered_languages
from ..models import Draft, Submission
from ..visitor import drafts
from ..visitor.offline import worker_script
from ..visitor.submissions import RefusedReplay, replay_submission, store_submission
from . import render_after_post, render_page

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
        if code not in offered_codes(tuple(current_app.config.get("KIOSK_LANGUAGES") or ())):
            abort(404)
        g.language = LANGUAGES[code]


@lru_cache(maxsize=8)
def offered_codes(configured: tuple[str, ...]) -> frozenset[str]:
    # Asked on every visitor request; the catalogs and KIOSK_LANGUAGES change only with a restart.
    return frozenset(lang.code for lang in offered_languages({"KIOSK_LANGUAGES": configured}))


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
        "offline_submission": drafts.offline_submission,
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


def seconds_labels(most: int) -> tuple[str, ...]:
    """The idle countdown's unit for 0..most seconds, with each language's plural forms."""
    return countdown_units(str(get_locale()), most)


@lru_cache(maxsize=64)
def countdown_units(locale: str, most: int) -> tuple[str, ...]:
    # Thirty ngettext calls on every whole page, for words that only change with a restart.
    return tuple(ngettext("Sekunde", "Sekunden", n) for n in range(most + 1))


def forms() -> dict[str, FormSpec]:
    return current_app.extensions["kiosk_forms"]


def draft_gone(draft_id: UUID):
    """Where to go when a draft no longer exists: its thank-you if it was sent, else the start."""
    if Submission.get_or_none(Submission.uuid == draft_id):
        return redirect(url_for("kiosk.thanks", submission_id=draft_id), 303)
    return redirect(url_for("kiosk.start"), 303)


class DraftLinks:
    """The URLs of one form session's pages, which all begin with the same /<lang>/<form>/<uuid>/.

    url_for costs about 30 µs, and a summary links a dozen times to the same draft: its base
    is built once and each page's name appended (field names are identifiers, see checks.py).
    """

    def __init__(self, spec: FormSpec, draft: Draft):
        self.draft_id = draft.uuid
        summary = url_for("kiosk.summary", form_slug=spec.slug, draft_id=draft.uuid)
        self.base = summary.removesuffix("summary")
        self.summary, self.submit, self.reset = summary, self.base + "submit", self.base + "reset"

    def step(self, name: str, review: bool = False) -> str:
        return f"{self.base}step/{quote(name, safe='')}{'?review=1' if review else ''}"


def links_of(spec: FormSpec, draft: Draft) -> DraftLinks:
    """The draft's links, built once per request (an answer links to it and shows the next step)."""
    links = g.get("draft_links")
    if links is None or links.draft_id != draft.uuid:
        links = g.draft_links = DraftLinks(spec, draft)
    return links


@bp.get("/")
def start():
    return render_page("kiosk/start.html", languages=offered_languages(current_app.config))


@bp.get("/<lang>/")
def choose():
    return render_choose()


def render_choose():
    return render_page("kiosk/choose.html", forms=list(forms().values()))


@bp.post("/<lang>/<form_slug>/")
def start_form(form_slug):
    spec = forms().get(form_slug) or abort(404)
    draft = drafts.start_draft(spec, g.language.code, current_app.config["DRAFT_MAX_AGE_HOURS"])
    return go_to(spec, draft, spec.visible_fields({})[0])


@bp.get("/<lang>/<form_slug>/")
def form_home(form_slug):
    forms().get(form_slug) or abort(404)
    return redirect(url_for("kiosk.choose"), 303)


def step_context(spec: FormSpec, draft: Draft, field, form, review=False, message=None) -> dict:
    visible, position = drafts.place_of(spec, draft.answers, field)
    return {
        "spec": spec,
        "draft": draft,
        "field": field,
        "form": form,
        "position": position + 1,
        "total": len(visible),
        "previous": visible[position - 1] if position > 0 else None,
        "review": review,
        "message": message,
        "links": links_of(spec, draft),
    }


def render_step(spec: FormSpec, draft: Draft, field, form=None, status=200, **context):
    """A step's page; its form filled from the stored answer unless a posted `form` is given."""
    if form is None:
        form = field.make_form(gettext, value=draft.answers.get(field.name))
    return render_page(
        "kiosk/step.html", status=status, **step_context(spec, draft, field, form, **context)
    )


def posted_answer() -> MultiDict:
    """The posted form data, with the "prefer not to say" button turned into that answer."""
    if request.form.get("no_answer"):
        return MultiDict({"answer": NO_ANSWER, "csrf_token": request.form.get("csrf_token", "")})
    return request.form


def go_to(spec: FormSpec, draft: Draft, field) -> Response:
    """To `field`'s step, or to the summary when `field` is None."""
    links = links_of(spec, draft)
    if field is None:
        return render_after_post(links.summary, lambda: render_summary(spec, draft))
    return render_after_post(links.step(field.name), lambda: render_step(spec, draft, field))


def with_draft(view):
    """Load the form session from the URL, or send the visitor where it went."""

    @wraps(view)
    def wrapped(form_slug, draft_id, **kwargs):
        draft = drafts.find_draft(form_slug, draft_id)
        if draft is None:
            return draft_gone(draft_id)
        return view(drafts.spec_of_draft(draft), draft, **kwargs)

    return wrapped


def field_or_404(spec: FormSpec, name: str):
    try:
        return spec.field(name)
    except KeyError:
        abort(404)


@bp.route("/<lang>/<form_slug>/<uuid:draft_id>/step/<name>", methods=["GET", "POST"])
@with_draft
def step(spec, draft, name):
    field = field_or_404(spec, name)
    if request.method == "GET":
        return render_step(spec, draft, field, review=request.args.get("review") == "1")
    return answer_step(spec, draft, field)


def answer_step(spec: FormSpec, draft: Draft, field):
    form = field.make_form(gettext, formdata=posted_answer())
    going_back = request.form.get("direction") == "back"
    if form.validate():
        drafts.save_answer(draft, field.name, field.stored_value(form))
        if spec.one_tap:
            return submit_draft(spec, draft)
    elif not going_back:
        review = request.form.get("review") == "1"
        return render_step(spec, draft, field, form, status=422, review=review)
    if going_back:
        return go_back(spec, draft, field)
    reviewing = request.form.get("review") == "1"
    return go_to(spec, draft, drafts.next_field(spec, draft.answers, field, reviewing))


def go_back(spec: FormSpec, draft: Draft, field):
    """One step back; from the first step (or a refused consent) back to the form chooser."""
    visible, position = drafts.place_of(spec, draft.answers, field)
    previous = visible[position - 1] if position > 0 else None
    if previous is None:
        drafts.discard_draft(draft.uuid)
        return render_after_post(url_for("kiosk.choose"), render_choose)
    return go_to(spec, draft, previous)


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
        "kiosk/summary.html",
        status=status,
        spec=spec,
        draft=draft,
        rows=rows,
        message=message,
        links=links_of(spec, draft),
    )


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/submit")
@with_draft
def submit(spec, draft):
    missing = drafts.first_missing(spec, draft.answers)
    if missing:
        return go_to(spec, draft, missing)
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
    thanks_url = url_for("kiosk.thanks", submission_id=draft.uuid)
    return render_after_post(thanks_url, lambda: render_page("kiosk/thanks.html"))


@bp.get("/<lang>/thanks/<uuid:submission_id>")
def thanks(submission_id):
    if not Submission.get_or_none(Submission.uuid == submission_id):
        return redirect(url_for("kiosk.start"), 303)
    return render_page("kiosk/thanks.html")


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/reset")
def reset(form_slug, draft_id):
    """Discard a visitor's unfinished answers (idle timeout, cancel, or consent refused)."""
    drafts.discard_draft(draft_id)
    if request.args.get("quiet"):  # the idle timer's fetch goes to the start page by itself
        return "", 204
    return redirect(url_for("kiosk.start"), 303)


def retry_after_csrf_error():
    """A stale or missing CSRF token on a kiosk page: keep the answer and ask to press again."""
    args = request.view_args or {}
    message = gettext("Die Seite war zu lange offen. Bitte tippen Sie noch einmal.")
    if "draft_id" not in args:
        return None
    draft = drafts.find_draft(args.get("form_slug", ""), args["draft_id"])
    if draft is None:
        return None
    spec = drafts.spec_of_draft(draft)
    if request.endpoint == "kiosk.step":
        try:
            field = spec.field(args["name"])
        except KeyError:  # no such question: the plain error page
            return None
        form = field.make_form(gettext, formdata=posted_answer())
        form.validate()
        review = request.values.get("review") == "1"
        return render_step(spec, draft, field, form, status=422, review=review, message=message)
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
