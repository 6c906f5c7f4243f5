"""Blueprints, one per audience, and the three helpers every htmx answer goes through.

`render_page` answers a page or, for htmx, just its fragment; `render_component` answers a
self-swapping component's partial for htmx, and a whole page (or a redirect to it) otherwise;
`render_after_post` answers a POST with the next page at once for htmx, else with a 303.
All mark their responses `Vary: HX-Request`, since the same URL answers two ways.
"""

from collections.abc import Callable

from flask import Response, current_app, make_response, redirect, render_template, request, url_for

from .header_values import requested_url


def is_htmx() -> bool:
    # A history restore wants the whole page, not the fragment.
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def varies_by_htmx(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response


def render_page(template: str, status: int = 200, **context) -> Response:
    """Render `dir/name.html`, or just its fragment `dir/_name.html` when htmx asked.

    The fragment is the page's `<main>`; htmx swaps it in and records the page's own URL,
    so the back button and a reload land on the same step.
    """
    if is_htmx():
        folder, _, name = template.rpartition("/")
        return fragment_response(
            render_template(f"{folder}/_{name}", fragment=True, **context), status
        )
    return varies_by_htmx(make_response(render_template(template, **context), status))


def fragment_response(html: str, status: int = 200) -> Response:
    """A page's fragment for htmx; for a GET, the page's own URL goes into the history."""
    response = make_response(html, status)
    if request.method == "GET":
        response.headers["HX-Push-Url"] = requested_url()
    return varies_by_htmx(response)


def render_component(
    partial: str, context: dict, without_htmx: Callable[[], object], status: int = 200
) -> Response:
    """A self-swapping component (`hx-target="this"`): its partial again for htmx, with the
    status; without htmx, `without_htmx()`: the whole page, or a redirect back to it."""
    if is_htmx():
        return varies_by_htmx(make_response(render_template(partial, **context), status))
    return varies_by_htmx(make_response(without_htmx()))


def render_after_post(url: str, page: Callable[[], Response]) -> Response:
    """Where a POST leads: htmx gets `page()` at once, with `url` to push into the history (one
    request instead of a 303 and a GET); without JavaScript, POST-redirect-GET to `url`."""
    if not is_htmx():
        return varies_by_htmx(redirect(url, 303))
    response = page()
    response.headers["HX-Push-Url"] = url
    return varies_by_htmx(response)


def kiosk_only():
    """`before_request` of the blueprints about a Treffpunkt's visitors and their answers. A hub
    at the Stadthaus has neither: its start page is the dashboard of the sites."""
    if current_app.config["ROLE"] == "hub":
        return redirect(url_for("hub.dashboard"))
    return None
