"""Blueprints, one per audience, and the one helper that answers htmx with a fragment."""

from flask import make_response, render_template, request


def is_htmx() -> bool:
    # A history restore wants the whole page, not the fragment.
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def render_page(template: str, status: int = 200, **context):
    """Render `dir/name.html`, or just its fragment `dir/_name.html` when htmx asked.

    The fragment is the page's `<main>`; htmx swaps it in and records the page's own URL,
    so the back button and a reload land on the same step.
    """
    if is_htmx():
        folder, _, name = template.rpartition("/")
        response = make_response(
            render_template(f"{folder}/_{name}", fragment=True, **context), status
        )
        if request.method == "GET":
            response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
        return response
    return make_response(render_template(template, **context), status)
