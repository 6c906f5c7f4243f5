"""What the visitor's pages need besides the views: links of a form session, the other
languages of the same page, texts worded per language (retention, lists, seconds), and the
cookie that makes a browser the owner of its drafts, with the limits on starting one."""

import re
import secrets
from functools import lru_cache
from urllib.parse import quote
from uuid import UUID

from babel.lists import format_list
from flask import Response, current_app, g, redirect, request, url_for
from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..formspec import NO_ANSWER, FormSpec
from ..formspec.digits import locale_digits
from ..i18n import offered_languages, request_translations
from ..i18n.overrides import texts_state
from ..models import Draft, Submission
from ..visitor import drafts
from . import render_page

# The browser's secret for its drafts (kiosk/visitor/drafts.py): a cookie of its own, so that
# neither a lost session nor a staff login on the kiosk (which clears the session) loses them.
BROWSER_COOKIE = "kiosk_drafts"
BROWSER_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
# How long a visitor turned away by the draft limits is asked to wait (Retry-After).
RETRY_AFTER_SECONDS = 60


@lru_cache(maxsize=8)
def offered_codes(configured: tuple[str, ...]) -> frozenset[str]:
    # Asked on every visitor request; the catalogs and KIOSK_LANGUAGES change only with a restart.
    return frozenset(lang.code for lang in offered_languages({"KIOSK_LANGUAGES": configured}))


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
    return countdown_units(str(get_locale()), most, texts_state())


@lru_cache(maxsize=64)
def countdown_units(locale: str, most: int, texts: tuple | None) -> tuple[str, ...]:
    # Thirty ngettext calls on every whole page, for words that change only with a restart or
    # a Sprachpate's correction (`texts`, part of the key).
    return tuple(ngettext("Sekunde", "Sekunden", n) for n in range(most + 1))


def in_language(path: str, code: str) -> str:
    """The same visitor page in another language: `/ar/feedback/…` for `/de/feedback/…`.

    Every visitor URL begins with its language; the draft in it is the same whatever the
    language, so a visitor who switches keeps the answers given so far.
    """
    _, current, rest = path.split("/", 2) if path.count("/") >= 2 else ("", "", "")
    return f"/{code}/{rest}" if current == g.language.code else url_for("kiosk.choose", lang=code)


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

    def step(self, name: str, review: bool = False, then: tuple[str, ...] = ()) -> str:
        query = "?review=1" if review else ""
        if then:
            query += f"&then={quote(','.join(then), safe=',')}"
        return f"{self.base}step/{quote(name, safe='')}{query}"


def links_of(spec: FormSpec, draft: Draft) -> DraftLinks:
    """The draft's links, built once per request (an answer links to it and shows the next step)."""
    links = g.get("draft_links")
    if links is None or links.draft_id != draft.uuid:
        links = g.draft_links = DraftLinks(spec, draft)
    return links


def help_text(field) -> str | None:
    """The help in the visitor's language; its example numbers in the visitor's digits where
    the field takes them ("Zum Beispiel ٢٠١٦."). Through the request's catalog, so that an
    Entwurf's preview (forms_preview.py, which puts the package's texts on it) gets its own."""
    if not field.help:
        return None
    text = request_translations().ugettext(field.help)
    return locale_digits(text, str(get_locale())) if field.takes_any_digits else text


def shown_form(draft, field):
    """The step's form filled with the answer shown (as typed, or as stored)."""
    return field.make_form(gettext, value=drafts.shown_answer(draft, field.name))


def queued(values) -> tuple[str, ...]:
    """The questions still to ask before going back to the summary (`then=a,b`)."""
    return tuple(name for name in values.get("then", "").split(",") if name)


def posted_answer() -> MultiDict:
    """The posted form data, with the "prefer not to say" button turned into that answer."""
    if request.form.get("no_answer"):
        return MultiDict({"answer": NO_ANSWER, "csrf_token": request.form.get("csrf_token", "")})
    return request.form


def german(text) -> Markup:
    """The German text under the visitor's own, shown only while the helper toggle is on
    (kiosk.js); nothing on German pages."""
    if not text or g.language.code == "de":
        return Markup("")
    return Markup('<span class="german" lang="de" dir="ltr">{}</span>').format(text)


def draft_gone(draft_id: UUID):
    """Where to go when a draft no longer exists: its thank-you if it was sent, else the start."""
    if Submission.get_or_none(Submission.uuid == draft_id):
        return redirect(url_for("kiosk.thanks", submission_id=draft_id), 303)
    return redirect(url_for("kiosk.start"), 303)


def elsewhere(draft_id: UUID, draft: Draft | None) -> Response | None:
    """Where a request for a draft goes instead, or None when this browser may see it: a
    draft of another browser (or of none) is not shown; the form chooser is."""
    if draft is None:
        return draft_gone(draft_id)
    if not drafts.belongs_to(draft, browser_secret()):
        return redirect(url_for("kiosk.choose"), 303)
    return None


def browser_secret() -> str | None:
    """The secret this browser's drafts are bound to, from its cookie; None without one."""
    secret = request.cookies.get(BROWSER_COOKIE, "")
    return secret if BROWSER_SECRET.fullmatch(secret) else None


def start_own_draft(spec: FormSpec) -> tuple[Draft, str]:
    """A new draft of `spec` for this browser and its secret (a new one if it has none yet),
    within the configured limits (else drafts.TooManyDrafts)."""
    config = current_app.config
    secret = browser_secret() or secrets.token_urlsafe(32)
    remote = request.remote_addr
    limits = drafts.DraftLimits(
        per_browser=config["DRAFTS_PER_BROWSER"] or None,
        per_address=config["DRAFTS_PER_ADDRESS"] or None,
        # A flood from the LAN must not close the kiosk's own screen.
        total=None if drafts.is_loopback(remote) else config["DRAFTS_TOTAL"] or None,
    )
    draft = drafts.start_draft(
        spec,
        g.language.code,
        config["DRAFT_MAX_AGE_HOURS"],
        browser=drafts.browser_hash(secret),
        address=drafts.address_key(remote, signing_key()),
        limits=limits,
    )
    return draft, secret


def signing_key() -> bytes:
    key = current_app.secret_key
    return key.encode() if isinstance(key, str) else bytes(key)


def keep_browser_secret(response: Response, secret: str) -> Response:
    """The cookie with the browser's secret, as long as a draft may live; flagged like the
    session's (HttpOnly, SameSite, Secure over HTTPS or when configured)."""
    config = current_app.config
    response.set_cookie(
        BROWSER_COOKIE,
        secret,
        max_age=config["DRAFT_MAX_AGE_HOURS"] * 3600,
        path=url_for("kiosk.start"),
        secure=bool(config["SESSION_COOKIE_SECURE"] or request.is_secure),
        httponly=True,
        samesite=config["SESSION_COOKIE_SAMESITE"],
    )
    return response


def too_many_drafts(spec: FormSpec) -> Response:
    """Turned away by the draft limits: a kind page in the visitor's language, 429."""
    response = render_page("kiosk/busy.html", status=429, spec=spec)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
