"""The Sprachpaten's pages (/review/sprachpaten): every visitor text of a language beside its
German source, its state, where it appears (opened in a preview frame in that language), and
"Stimmt" or "Korrigieren" on each. Volunteers see the languages their account names,
coordinators and admins every language. The work itself: kiosk/review/sprachpaten.py.
"""

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

from ..i18n import LANGUAGES
from ..i18n.catalog_texts import FORM, INTERFACE, WEGWEISER, catalog_folder, language_catalog
from ..i18n.corrections import CorrectionError
from ..i18n.text_states import row_of, rows_of
from ..review import sprachpaten as work
from ..review.auth import current_user, login_required
from . import is_htmx, render_component, render_page
from .header_values import local_target
from .review import staff_error, use_staff_errors
from .security import CONTENT_SECURITY_POLICY
from .sprachpaten_forms import (
    CONSENT,
    MAX_TEXT,
    correction_form,
    filter_form,
    group_name,
    pages_of,
    shown_fully,
)

bp = Blueprint("sprachpaten", __name__, url_prefix="/review/sprachpaten")
use_staff_errors(bp)

# The kiosk pages a logged-in member of staff sees may be framed by this server's own pages (the
# Sprachpaten's preview); for everyone else no page may be framed at all (views/security.py).
# Not only requests marked as a frame's: the kiosk's service worker fetches a framed page anew,
# and that request no longer says it is for a frame.
PREVIEW_BLUEPRINTS = ("kiosk", "wegweiser")
PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def folder() -> str:
    return catalog_folder(current_app.config)


def kiosk_forms() -> dict:
    return current_app.extensions["kiosk_forms"]


# --- Start page: the languages and how far each is checked ---------------------------------------


@bp.get("/")
@login_required
def index():
    user = current_user()
    languages = work.languages_of(user, folder())
    progress = [work.progress(language, rows_of(folder(), language.code)) for language in languages]
    return render_page("sprachpaten/index.html", progress=progress, speaks=user.speaks or [])


# --- One language's texts -----------------------------------------------------------------------


def language_or_404(code: str):
    """The language, if it has a catalog here and this account may work on it (else 403)."""
    language = LANGUAGES.get(code)
    if language is None or language not in work.review_languages(folder()):
        abort(404)
    if not work.may_review(current_user(), code):
        abort(403)
    return language


def groups_in_order(rows) -> list[tuple[str, str]]:
    """[(group, German name)]: the interface, each form in the forms' order, the Wegweiser."""
    present = {group for row in rows for group in row.source.groups}
    forms = [FORM + slug for slug in kiosk_forms() if FORM + slug in present]
    forms += sorted(g for g in present if g.startswith(FORM) and g not in forms)
    ordered = [INTERFACE, *forms, WEGWEISER]
    return [(group, group_name(group, kiosk_forms())) for group in ordered if group in present]


@bp.get("/<code>/")
@login_required
def language(code):
    language = language_or_404(code)
    rows = rows_of(folder(), code)
    groups = groups_in_order(rows)
    form = filter_form(request.args, groups)
    consent = work.consent_keys(kiosk_forms().values()) if form.bereich.data == CONSENT else ()
    shown = work.filtered(rows, form.nur.data, form.bereich.data, consent)
    return render_page(
        "sprachpaten/language.html",
        language=language,
        form=form,
        rows=shown,
        progress=work.progress(language, rows),
        preview_forms=list(kiosk_forms().values()),
        **row_helpers(code),
    )


def row_helpers(code: str) -> dict:
    catalog = language_catalog(folder(), code)
    return {
        "pages_of": lambda text: pages_of(text, code),
        "plural_examples": catalog.plural_examples,
        "here": request.full_path.rstrip("?") if request.method == "GET" else "",
    }


# --- One text: its row, "Stimmt", "Korrigieren" ---------------------------------------------------


def row_or_404(code: str, key: str):
    row = row_of(folder(), code, key)
    return row if row is not None else abort(404)


def back_to_list(code: str, key: str) -> str:
    """Where a change made without JavaScript leads: the list it came from, at the text."""
    fallback = url_for(".language", code=code)
    target = request.values.get("next") or fallback
    if not target.startswith(fallback):
        target = fallback
    return local_target(target.split("#")[0], fallback) + f"#t-{key}"


def row_component(code: str, row, form=None, message: str = "", status: int = 200):
    """The text's row again for htmx (in its form while `form` is given; after a change with the
    language's progress, out of band); without JavaScript, the correction page (with a form) or
    back to the list."""
    changed = request.method == "POST" and is_htmx()
    context = {
        "language": LANGUAGES[code],
        "progress": work.progress(LANGUAGES[code], rows_of(folder(), code)) if changed else None,
        "row": row,
        "edit_form": form,
        "message": message,
        **row_helpers(code),
        "here": request.values.get("next", ""),
    }

    def without_htmx():
        if form is not None:
            return render_page("sprachpaten/edit.html", status, **context)
        return redirect(back_to_list(code, row.key), 303)

    return render_component("sprachpaten/_row.html", context, without_htmx, status)


@bp.get("/<code>/<key>")
@login_required
def text(code, key):
    language_or_404(code)
    return row_component(code, row_or_404(code, key))


@bp.get("/<code>/<key>/korrigieren")
@login_required
def edit(code, key):
    language_or_404(code)
    row = row_or_404(code, key)
    examples = plural_examples_of(code, row)
    return row_component(code, row, correction_form(key, row.shown, examples, posted=False))


def plural_examples_of(code: str, row) -> tuple[int, ...]:
    return language_catalog(folder(), code).plural_examples if row.source.msgid_plural else (1,)


@bp.post("/<code>/<key>/stimmt")
@login_required
def confirm(code, key):
    language_or_404(code)
    row = row_or_404(code, key)
    try:
        row = work.confirm(code, row, current_user().name)
    except CorrectionError as error:
        return staff_error(422, "Nicht bestätigt", error.message)
    return row_component(code, row)


@bp.post("/<code>/<key>/korrigieren")
@login_required
def correct(code, key):
    language_or_404(code)
    row = row_or_404(code, key)
    examples = plural_examples_of(code, row)
    form = correction_form(key, row.shown, examples, posted=True)
    texts = [entry.data or "" for entry in form.texts]
    try:
        if not form.validate():
            raise CorrectionError(first_error(form))
        row = work.correct(folder(), code, row, texts, current_user().name)
    except CorrectionError as error:
        return row_component(code, row, shown_fully(form, examples), error.message, 422)
    return row_component(code, row)


def first_error(form) -> str:
    if form.csrf_token.errors:
        return "Die Seite war zu lange offen. Bitte laden Sie sie neu."
    return f"Der Text ist zu lang: höchstens {MAX_TEXT} Zeichen."


# --- Consent texts nobody checked, on the staff's start page -------------------------------------


@bp.app_template_global("unchecked_consent")
def unchecked_consent() -> list[tuple]:
    """[(ConsentFlag, link or None)]: the offered languages whose consent texts are not all
    checked, linked where this account may check them (templates/sprachpaten/_consent_flag.html,
    included by the inbox)."""
    user = current_user()
    codes = list(current_app.config.get("KIOSK_LANGUAGES") or LANGUAGES)
    flags = work.consent_flags(folder(), kiosk_forms().values(), codes)
    return [(flag, consent_link(user, flag.language.code)) for flag in flags]


def consent_link(user, code: str) -> str | None:
    """The language's unchecked consent texts, if this account may check them."""
    if not work.may_review(user, code):
        return None
    return url_for("sprachpaten.language", code=code, bereich=CONSENT, nur="offen")


# --- The preview frame --------------------------------------------------------------------------


@bp.after_app_request
def allow_preview_frame(response):
    """A kiosk page a member of staff opens may be shown in the preview frame of this server."""
    if (
        request.blueprint in PREVIEW_BLUEPRINTS
        and session.get("staff")
        and current_user() is not None
    ):
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
