"""Published form versions on a kiosk: a form that came as a package (an XLSForm upload or the
Stadthaus hub) is stored as a new version, comes in force when no visitor is answering that
form, can be pinned to a version, and brings its translations into the gettext layer.

    publish(package, *, by, origin="upload") -> PublishedForm
    activate_ready() -> list[PublishedForm]
    pin(slug, number | None, *, by) -> FormPin | None
    form_states() -> list[FormState]
    form_translations(spec) -> (translations, reviewed)
    forms_in_force(app) -> {slug: FormSpec}     (= app.extensions["kiosk_forms"])
    PublishError (ValueError, German message)
"""

from ..models.forms import FormPin, PublishedForm
from .hooks import init_app
from .registry import RECHECK_SECONDS, forms_in_force, refresh
from .states import FormState, form_states, form_translations
from .store import PublishError, activate_ready, pin, publish

__all__ = [
    "RECHECK_SECONDS",
    "FormPin",
    "FormState",
    "PublishError",
    "PublishedForm",
    "activate_ready",
    "form_states",
    "form_translations",
    "forms_in_force",
    "init_app",
    "pin",
    "publish",
    "refresh",
]
