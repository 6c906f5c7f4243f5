"""SVG charts drawn by our own code: a bar per table row and a small trend line of the mean rating.

Plain SVG with presentation attributes only (no style attributes, no scripts, no external
references), so WeasyPrint draws it without a browser and the browser preview shows it under the
kiosk's Content-Security-Policy.
"""

from markupsafe import Markup, escape

INK = "#1b1f24"
BAR = "#0b5d7a"
GRID = "#c9ced6"
MUTED = "#5b6470"
FONT = "Report Latin"  # a family of static/print/report.css


def bar(value: int | None, largest: int, width: float = 120, height: float = 11) -> Markup:
    """A horizontal bar for one count, scaled to the largest shown count of its column.

    A hidden count gets no bar: its length would tell what the text hides.
    """
    length = 0.0 if not value or largest <= 0 else max(1.5, width * value / largest)
    rect = (
        f'<rect x="0" y="1" width="{length:.1f}" height="{height - 2}" rx="1.5" fill="{BAR}"/>'
        if length
        else ""
    )
    return Markup(
        f'<svg class="bar" xmlns="http://www.w3.org/2000/svg" role="presentation" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{rect}</svg>'
    )


def largest_shown(rows: list[dict], column: str = "current") -> int:
    return max((row[column]["value"] or 0 for row in rows), default=0)


def trend_line(points: list[dict], width: int = 640, height: int = 200) -> Markup:
    """Mean rating (1 to 5) over recent periods; a period without a printed mean is a gap.

    `points` are the summary's trend entries: {"label": "Nov. 26", "mean": {"value", "text"}}.
    """
    left, right, top, bottom = 40, 30, 24, 30
    inset = 24  # the first and last point keep clear of the axis labels
    plot_w, plot_h = width - left - right, height - top - bottom
    step = (plot_w - 2 * inset) / max(len(points) - 1, 1)

    def y(rating: float) -> float:
        return top + plot_h * (5 - rating) / 4

    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">',
        "<title>Durchschnittliche Zufriedenheit der letzten Zeiträume</title>",
    ]
    for rating in range(1, 6):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(rating):.1f}" y2="{y(rating):.1f}" '
            f'stroke="{GRID}" stroke-width="0.8"/>'
            f'<text x="{left - 8}" y="{y(rating) + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}">{rating}</text>'
        )
    for segment in _segments(points):
        coordinates = " ".join(
            f"{left + inset + i * step:.1f},{y(value):.1f}" for i, value in segment
        )
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{BAR}" stroke-width="2.2"/>'
        )
    for i, point in enumerate(points):
        x = left + inset + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(point['label'])}</text>"
        )
        mean = point["mean"]
        if mean is None:
            parts.append(
                f'<text x="{x:.1f}" y="{y(3.5) + 4:.1f}" text-anchor="middle" fill="{MUTED}">'
                "\N{EN DASH}</text>"
            )
            continue
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(mean["value"]):.1f}" r="3.5" fill="{BAR}"/>'
            f'<text x="{x:.1f}" y="{y(mean["value"]) - 8:.1f}" text-anchor="middle" '
            f'font-weight="700">{escape(mean["text"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _segments(points: list[dict]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive periods that have a mean: the line is not drawn across a gap."""
    segments: list[list[tuple[int, float]]] = [[]]
    for i, point in enumerate(points):
        if point["mean"] is None:
            segments.append([])
        else:
            segments[-1].append((i, point["mean"]["value"]))
    return [segment for segment in segments if len(segment) > 1]
