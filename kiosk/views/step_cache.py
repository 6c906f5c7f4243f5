"""A step's fragment, as htmx swaps it in, rendered once per what it shows and then kept.

Rendering a step is most of what an answer costs the server (Jinja, a dozen translated texts,
read-aloud buttons, pictograms). Yet every visitor at the same point of the same form version in
the same language sees the same fragment, apart from two things: the draft's id in its links and
the CSRF token. Both are rendered as marks and put in for each request.

The key holds everything else the fragment depends on: form (slug and version), question,
language, position and total, whether "Fertig" is offered, review and the questions still queued,
the answer shown, and the Sprachpaten's corrections in force (`texts_state`); the recordings of
the language are compared by identity (the index makes a new table when its folder changes), so
a new correction or recording shows at once, as without the cache.

Kept: a step of a form that is not one-tap (one-tap steps carry the draft's offline answer), shown
without an error, whose answer is empty or an option: a typed answer (a name, a phone number) is
never kept in memory beyond its request. At most KIOSK_STEP_CACHE_ENTRIES per app (0: none),
the least recently used going first.
"""

import threading
from collections import OrderedDict
from types import SimpleNamespace

from flask import current_app, g, render_template
from flask_wtf.csrf import generate_csrf

from ..i18n.overrides import texts_state
from ..visitor import drafts, route
from ..visitor.audio import lookup_languages, recordings
from . import is_htmx

DRAFT_MARK = "0000c0de-0000-4000-8000-00000000c0de"  # a UUID no draft gets (version 4, fixed)
TOKEN_MARK = "csrf-token-mark-c0de"
EXTENSION = "kiosk_step_cache"
# Answers that are one of the form's own option codes, never text a visitor typed.
OPTION_TYPES = frozenset({"single", "multiple", "yesno", "rating", "consent"})


class StepCache:
    """Rendered fragments (with marks) by key, least recently used first."""

    def __init__(self):
        self.limit = 0  # KIOSK_STEP_CACHE_ENTRIES, read on every use (a test may change it)
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, tuple[str, tuple]] = OrderedDict()

    def get(self, key: tuple, tables: tuple) -> str | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            html, held = entry
            if len(held) != len(tables) or any(
                a is not b for a, b in zip(held, tables, strict=True)
            ):
                del self.entries[key]  # a recording came or went since
                return None
            self.entries.move_to_end(key)
            return html

    def put(self, key: tuple, tables: tuple, html: str) -> None:
        with self.lock:
            self.entries[key] = (html, tables)
            self.entries.move_to_end(key)
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def step_cache() -> StepCache:
    app = current_app._get_current_object()
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, StepCache())
    cache.limit = int(app.config["KIOSK_STEP_CACHE_ENTRIES"])
    return cache


def keepable(spec, draft, field) -> bool:
    if spec.one_tap:
        return False
    shown = drafts.shown_answer(draft, field.name)
    return shown is None or (field.type in OPTION_TYPES and not field.personal)


def cached_step_html(spec, draft, field, context: dict, context_for) -> str | None:
    """The step's htmx fragment for this request, from the cache or rendered and kept; None
    for a whole page or a step that is not kept (see above). `context` holds the step's review
    and queued questions; `context_for(links_draft)` makes the template's context with the
    links of `links_draft` (here one whose id is the mark)."""
    cache = step_cache()
    if not cache.limit or not is_htmx() or not keepable(spec, draft, field):
        return None
    review, then = context.get("review", False), context.get("then", ())
    language = g.language.code
    position, total = route.progress(spec, draft.answers, field)
    key = (
        spec.slug,
        spec.version_hash,
        field.name,
        language,
        position,
        total,
        not review and route.can_finish(spec, draft.answers, field),
        review,
        then,
        repr(drafts.shown_answer(draft, field.name)),
        repr(draft.answers.get(field.name)),
        texts_state(),
    )
    index = recordings()
    tables = tuple(index.of_language(code) for code in lookup_languages(language))
    html = cache.get(key, tables)
    if html is None:
        template_context = context_for(SimpleNamespace(uuid=DRAFT_MARK))
        html = render_template(
            "kiosk/_step.html", fragment=True, csrf_token=lambda: TOKEN_MARK, **template_context
        )
        cache.put(key, tables, html)
    return html.replace(DRAFT_MARK, str(draft.uuid)).replace(TOKEN_MARK, generate_csrf())
