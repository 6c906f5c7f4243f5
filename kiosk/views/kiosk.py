"""The visitor's path: language, form, one question per screen, summary, submit, thank-you."""

from functools import wraps

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import generate_csrf
from peewee import IntegrityError

from ..db import this_site
from ..extensions import csrf
from ..formspec import FormSpec
from ..formspec.visitor_code import visitor_code
from ..i18n import LANGUAGES, offered_languages
from ..models import Draft, Submission
from ..visitor import drafts, route
from ..visitor.offline import worker_script
from ..visitor.submissions import RefusedReplay, replay_submission, store_submission
from ..visitor.thanks import thanks_context
from . import fragment_response, kiosk_only, render_after_post, render_page
from .header_values import local_target
from .kiosk_helpers import (
    DraftLinks,
    browser_secret,
    elsewhere,
    german,
    help_text,
    in_language,
    keep_browser_secret,
    language_list,
    links_of,
    offered_codes,
    posted_answer,
    queued,
    retention_sentence,
    seconds_labels,
    shown_form,
    start_own_draft,
    too_many_drafts,
)
from .step_cache import cached_step_html

bp = Blueprint("kiosk", __name__)


bp.before_request(kiosk_only)  # the Stadthaus hub offers no visitor forms


@bp.url_value_preprocessor
def pull_language(endpoint, values):
    if values and "lang" in values:
        code = values.pop("lang")
        if code not in offered_codes(tuple(current_app.config.get("KIOSK_LANGUAGES") or ())):
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


bp.add_app_template_global(german)


@bp.app_context_processor
def kiosk_helpers():
    return {
        "retention_sentence": retention_sentence,
        "seconds_labels": seconds_labels,
        "offline_submission": drafts.offline_submission,
        "in_language": in_language,
    }


def forms() -> dict[str, FormSpec]:
    return current_app.extensions["kiosk_forms"]


@bp.get("/")
def start():
    # The first page a kiosk loads: its few pictograms inline, so it does without the sprite
    # (fetched, and kept, with the next page).
    g.inline_icons = True
    return render_page("kiosk/start.html", languages=offered_languages(current_app.config))


@bp.get("/<lang>/")
def choose():
    g.inline_icons = True  # a whole page a kiosk may load first, as the start screen
    return render_choose()


def render_choose():
    return render_page("kiosk/choose.html", forms=list(forms().values()))


@bp.get("/<lang>/languages")
def languages():
    """The languages, each leading to the page the visitor came from (`next`) in it."""
    here = local_target(request.args.get("next"), fallback=url_for("kiosk.choose"))
    if not here.startswith(f"/{g.language.code}/"):
        here = url_for("kiosk.choose")
    languages = offered_languages(current_app.config)
    return render_page("kiosk/languages.html", languages=languages, next=here)


@bp.post("/<lang>/<form_slug>/")
def start_form(form_slug):
    spec = forms().get(form_slug) or abort(404)
    try:
        draft, secret = start_own_draft(spec)
    except drafts.TooManyDrafts:
        return too_many_drafts(spec)
    return keep_browser_secret(go_to(spec, draft, spec.visible_fields({})[0]), secret)


@bp.get("/<lang>/<form_slug>/")
def form_home(form_slug):
    forms().get(form_slug) or abort(404)
    return redirect(url_for("kiosk.choose"), 303)


# Field types answered by one tap on an option (the tap sends the answer and goes on).
ONE_TAP_TYPES = frozenset({"single", "yesno", "rating"})


def step_context(
    spec: FormSpec, draft: Draft, field, form, review=False, message=None, then=(), links=None
) -> dict:
    position, total = route.progress(spec, draft.answers, field)
    links = links or links_of(spec, draft)
    return {
        "spec": spec,
        "draft": draft,
        "field": field,
        "form": form,
        "position": position,
        "total": total,
        "review": review,
        "then": ",".join(then),
        "message": message,
        "links": links,
        "here": links.step(field.name),
        "help_text": help_text(field),
        "one_tap": field.type in ONE_TAP_TYPES,
        "can_finish": not review and route.can_finish(spec, draft.answers, field),
    }


def render_step(spec: FormSpec, draft: Draft, field, form=None, status=200, **context):
    """A step's page; its form filled from the stored answer unless a posted `form` is given.
    An htmx fragment without an error comes from the step cache where it may (step_cache.py)."""
    if form is None and status == 200 and not context.get("message"):
        html = cached_step_html(spec, draft, field, context, lambda marked: step_context(
            spec, draft, field, shown_form(draft, field), links=DraftLinks(spec, marked), **context
        ))  # fmt: skip
        if html is not None:
            return fragment_response(html)
    return render_page(
        "kiosk/step.html",
        status=status,
        **step_context(spec, draft, field, form or shown_form(draft, field), **context),
    )


def go_to(spec: FormSpec, draft: Draft, field, review=False, then=()) -> Response:
    """To `field`'s step, or to the summary when `field` is None."""
    links = links_of(spec, draft)
    if field is None:
        return render_after_post(links.summary, lambda: render_summary(spec, draft))
    return render_after_post(
        links.step(field.name, review, then),
        lambda: render_step(spec, draft, field, review=review, then=then),
    )


def with_draft(view):
    """Load the form session from the URL if it is this browser's, else send the visitor on."""

    @wraps(view)
    def wrapped(form_slug, draft_id, **kwargs):
        draft = drafts.find_draft(form_slug, draft_id)
        away = elsewhere(draft_id, draft)
        return away if away is not None else view(drafts.spec_of_draft(draft), draft, **kwargs)

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
        review = request.args.get("review") == "1"
        return render_step(spec, draft, field, review=review, then=queued(request.args))
    return answer_step(spec, draft, field)


def answer_step(spec: FormSpec, draft: Draft, field):
    direction = request.form.get("direction", "")
    reviewing = request.form.get("review") == "1"
    if request.form.get("decline") and field.type == "consent" and field.required:
        return decline(spec, draft)
    form = field.make_form(gettext, formdata=posted_answer())
    before = draft.answers
    if form.validate():
        typed = field.typed_value(form)
        drafts.save_answer(draft, field.name, field.stored_value(form), typed=typed)
        if spec.one_tap:
            return submit_draft(spec, draft)
    elif direction != "back":
        then = queued(request.form)
        return render_step(spec, draft, field, form, status=422, review=reviewing, then=then)
    if direction == "back":
        return go_back(spec, draft, field)
    if reviewing:
        # Back to the summary, asking first what the changed answer made relevant.
        waiting = route.review_queue(spec, before, draft.answers, queued(request.form))
        if waiting:
            return go_to(spec, draft, spec.field(waiting[0]), review=True, then=waiting[1:])
    if reviewing or direction == "finish":
        return go_to(spec, draft, route.first_missing(spec, draft.answers))
    return go_to(spec, draft, route.next_field(spec, draft.answers, field))


def go_back(spec: FormSpec, draft: Draft, field):
    """One step back; from the first step back to the form chooser."""
    visible, position = route.place_of(spec, draft.answers, field)
    previous = visible[position - 1] if position > 0 else None
    if previous is None:
        drafts.discard_draft(draft.uuid)
        return render_after_post(url_for("kiosk.choose"), render_choose)
    return go_to(spec, draft, previous)


def decline(spec: FormSpec, draft: Draft):
    """Consent refused: nothing is kept, and the forms that store nothing personal are offered."""
    drafts.discard_draft(draft.uuid)
    return render_after_post(url_for("kiosk.declined"), render_declined)


@bp.get("/<lang>/declined")
def declined():
    return render_declined()


def render_declined():
    anonymous = [spec for spec in forms().values() if spec.one_tap]
    return render_page("kiosk/declined.html", forms=anonymous)


@bp.get("/<lang>/<form_slug>/<uuid:draft_id>/summary")
@with_draft
def summary(spec, draft):
    return render_summary(spec, draft)


def render_summary(spec: FormSpec, draft: Draft, message=None, status=200):
    rows = [
        (field, field.display(drafts.shown_answer(draft, field.name), gettext, join=language_list))
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
        here=links_of(spec, draft).summary,
        # Shown by the "will be sent" thank-you too: the code follows from the UUID.
        queued_code=visitor_code(draft.uuid) if spec.visitor_code else None,
    )


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/submit")
@with_draft
def submit(spec, draft):
    missing = route.first_missing(spec, draft.answers)
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
    return render_after_post(
        thanks_url,
        lambda: render_page("kiosk/thanks.html", **thanks_context(draft.uuid, gettext)),
    )


@bp.get("/<lang>/thanks/<uuid:submission_id>")
def thanks(submission_id):
    if not Submission.get_or_none(Submission.uuid == submission_id):
        return redirect(url_for("kiosk.start"), 303)
    return render_page("kiosk/thanks.html", **thanks_context(submission_id, gettext))


@bp.post("/<lang>/<form_slug>/<uuid:draft_id>/reset")
@csrf.exempt  # the draft's own secret is the proof: a stale token must not keep the answers
def reset(form_slug, draft_id):
    """Discard a visitor's unfinished answers (idle timeout, cancel), if this browser's."""
    drafts.discard_own_draft(form_slug, draft_id, browser_secret())
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
    if draft is None or not drafts.belongs_to(draft, browser_secret()):
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
        then = queued(request.values)
        return render_step(
            spec, draft, field, form, status=422, review=review, then=then, message=message
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
