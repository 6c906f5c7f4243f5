"""The hub's form page for the Stadthaus coordinators: upload an XLSForm, publish it for all
Treffpunkte or chosen ones, and see per site which version it runs (kiosk/hub/forms.py)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..formspec import XLSFormError, read_xlsform
from ..hub.forms import HubFormError, publish_for_sites, published_forms, site_form_rows
from ..models import HubSite
from ..review.auth import audit, current_user, role_required
from .security import allow_larger_bodies
from .staff_forms import XLSFormSettings, options

bp = Blueprint("hub_forms", __name__, url_prefix="/hub/formulare")
allow_larger_bodies("hub_forms.upload", lambda config: config["HUB_FORM_UPLOAD_BYTES"])

ALL, CHOSEN = "all", "chosen"


class HubFormUpload(XLSFormSettings):
    file = FileField(
        "XLSForm-Datei (.xlsx oder .xls)",
        validators=[FileRequired("Bitte eine XLSForm-Datei wählen.")],
    )
    name = StringField(
        "Kurzname des Formulars (leer lassen: wie in der Datei)",
        validators=[
            Optional(),
            Length(max=60, message="Höchstens 60 Zeichen."),
            Regexp(r"^[a-z0-9-]+$", message="Nur Kleinbuchstaben, Ziffern und Bindestriche."),
        ],
    )
    audience = RadioField(
        "Für wen",
        choices=options((ALL, "alle Treffpunkte"), (CHOSEN, "nur die gewählten Treffpunkte")),
        default=ALL,
    )
    sites = SelectMultipleField(
        "Gewählte Treffpunkte",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # publish_for_sites names an unknown site in German
    )


@bp.before_request
def only_on_a_hub():
    if current_app.config["ROLE"] != "hub":
        abort(404)


def upload_form() -> HubFormUpload:
    form = HubFormUpload()
    sites = HubSite.select().where(HubSite.revoked_at.is_null()).order_by(HubSite.name)
    form.sites.choices = options(*((site.slug, f"{site.name} ({site.slug})") for site in sites))
    return form


def page(form: HubFormUpload, problems=(), error: str = "", status: int = 200):
    versions = published_forms()
    slugs = sorted({version.slug for version in versions})
    body = render_template(
        "hub/forms.html",
        form=form,
        problems=problems,
        error=error,
        versions=versions,
        slugs=slugs,
        rows=site_form_rows(slugs),
    )
    return body, status


@bp.get("/")
@role_required("coordinator")
def index():
    return page(upload_form())


@bp.post("/")
@role_required("coordinator")
def upload():
    """Read the XLSForm, check it and publish it; its problems as a table, never a 500."""
    form = upload_form()
    if not form.validate_on_submit():
        return page(form, status=400)
    data = form.file.data.read()
    try:
        package = read_xlsform(data, form.name.data or None, form.given(), form.file.data.filename)
    except XLSFormError as refused:
        return page(form, problems=refused.problems, status=422)
    sites = None if form.audience.data == ALL else form.sites.data
    try:
        version = publish_for_sites(package, sites=sites, by=current_user().name)
    except HubFormError as refused:
        return page(form, error=refused.message, status=422)
    audience = "alle Treffpunkte" if version.all_sites else ", ".join(version.sites)
    audit("hub_form_published", version.slug, detail=f"Fassung {version.number} für {audience}")
    flash(f"Formular „{version.slug}“ in Fassung {version.number} veröffentlicht für {audience}.")
    return redirect(url_for(".index"), 303)
