"""SVG charts drawn by our own code: a bar per table row and a small trend line of the mean rating.

Plain SVG with presentation attributes only (no style attributes, no scripts, no external
references), so WeasyPrint draws it without a browser and the browser preview shows it under the
kiosk's Content-Security-Policy.

A count's bar says no more than its printed text, and never draws a smaller number longer:

    an exact count   a solid bar, closed at its end;
    "mind. N"        a hatched bar up to N with an open end (no closing edge), labelled "mind. N":
                     the count goes on past it by an unknown amount;
    "<k" and "•"     a small ring at the start of the row, never as long as any bar: the count is
                     hidden, so it gets no length;
    anything else    (a dash, "kein Bericht", zero) nothing.

All bars of a chart share one scale (`scale`), whose largest value is the largest value any bar
represents, lower bounds included. A bar is decoration beside the printed number: hidden from
screen readers in HTML; in the tagged PDF, where WeasyPrint makes every SVG a figure, its title
(the figure's alternative text) is the very text printed beside it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

INK = "#1b1f24"
BAR = "#0b5d7a"
GRID = "#c9ced6"
MUTED = "#5b6470"
FONT = "Report Latin"  # a family of static/print/report.css

# Bars are measured in millimetres and drawn in tenths of a millimetre (SVG user units).
UNITS = 10
HEIGHT = 3.0  # mm, the whole mark's height: it sits in a table row
BAR_TOP, BAR_BOTTOM = 0.3, 2.7  # mm
MIN_BAR = 2.4  # mm: the shortest bar of a count above zero, longer than the marker
MARKER = 1.9  # mm: the ring's outer width
GAP = 0.8  # mm between a bar's open end and its label
LABEL_SIZE = 2.47  # mm, 7 pt
# Advance widths of Noto Sans (Report Latin) per 1000 em, for the labels' length.
ADVANCES = {"m": 935, "i": 258, "n": 618, "d": 615, ".": 268, " ": 260}
DIGIT_ADVANCE = 572
OTHER_ADVANCE = 700  # more than any letter a label may hold: a guess errs on the long side

_pattern_ids = count(1)  # each bar's hatch pattern has an id of its own within a document


def mark_of(cell: dict | None) -> tuple[str, int] | None:
    """How a printed count is drawn: ("exact", value), ("bound", N), ("marker", 0) or None."""
    if not cell:
        return None
    kind = cell.get("kind", "shown")
    if kind == "shown" and cell.get("value"):
        return "exact", int(cell["value"])
    if kind == "at_least" and cell.get("low"):
        return "bound", int(cell["low"])
    if kind in ("small", "hidden"):
        return "marker", 0
    return None


def label_width(text: str) -> float:
    """The label's length in mm as drawn in the report's font (a close upper estimate)."""
    advance = sum(
        DIGIT_ADVANCE if char.isdigit() else ADVANCES.get(char, OTHER_ADVANCE) for char in text
    )
    return advance / 1000 * LABEL_SIZE * 1.04


@dataclass(frozen=True)
class Scale:
    """One chart's scale: `track` mm stand for `largest`; `width` mm is the whole chart."""

    width: float
    largest: int
    track: float

    def length(self, value: int) -> float:
        """A bar's length in mm: in proportion, but at least MIN_BAR for any count above zero."""
        if value <= 0 or self.largest <= 0:
            return 0.0
        return max(MIN_BAR, self.track * value / self.largest)


def scale(cells: Iterable[dict | None], width: float = 32.0) -> Scale:
    """The scale of a chart of `cells` drawn `width` mm wide.

    The largest value is the largest that any bar represents, lower bounds included, so a
    "mind. 5" is never drawn shorter than an exact 3. Where a lower bound's label would not fit
    after its bar, every bar of the chart is drawn shorter alike, never only that one.
    """
    marked = [(cell, mark) for cell in cells if (mark := mark_of(cell))]
    largest = max((value for _, (_, value) in marked), default=0)
    track = width
    for cell, (kind, value) in marked:
        if kind == "bound":
            room = width - GAP - label_width(str(cell["text"]))
            track = min(track, max(room, MIN_BAR) * largest / value)
    return Scale(width=width, largest=largest, track=track)


def rows_scale(rows: list[dict], column: str, width: float = 32.0) -> Scale:
    """The scale of a table's bar column: `rows` as in the summaries, `column` a cell's key."""
    return scale((row.get(column) for row in rows), width)


def bar(cell: dict | None, chart: Scale) -> Markup:
    """The mark of one printed count (see the module docstring); empty markup for none."""
    mark = mark_of(cell)
    if mark is None:
        return Markup("")
    kind, value = mark
    if kind == "exact":
        drawing = _solid(chart.length(value))
    elif kind == "bound":
        drawing = _hatched(chart.length(value), str(cell["text"]))  # "mind. 1.234" as printed
    else:
        drawing = _ring()
    return _svg(chart.width, drawing, str(cell["text"]), f"bar {kind}")


def legend_sample(kind: str, width: float = 9.0) -> Markup:
    """A small sample of a mark for the chart legend, titled with what it is."""
    if kind == "exact":
        drawing, title = _solid(width), "Muster: voller Balken"
    elif kind == "bound":
        drawing, title = _hatched(width, None), "Muster: schraffierter Balken, rechts offen"
    else:
        drawing, title = _ring(), "Muster: Kreis"
    return _svg(width, drawing, title, f"legend-mark {kind}")


def _u(mm: float) -> str:
    """Millimetres as SVG user units."""
    return f"{mm * UNITS:.1f}".removesuffix(".0")


def _svg(width: float, drawing: str, title: str, css_class: str) -> Markup:
    return Markup(
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" '
        f'focusable="false" width="{width}mm" height="{HEIGHT}mm" '
        f'viewBox="0 0 {_u(width)} {_u(HEIGHT)}"><title>{escape(title)}</title>{drawing}</svg>'
    )


def _solid(length: float) -> str:
    top, height = _u(BAR_TOP), _u(BAR_BOTTOM - BAR_TOP)
    return (
        f'<rect class="solid" x="0" y="{top}" width="{_u(length)}" height="{height}" fill="{BAR}"/>'
    )


def _hatched(length: float, label: str | None) -> str:
    """Diagonal stripes up to `length`, edged above, below and at the start, open at the end."""
    pattern = f"hatch-{next(_pattern_ids)}"
    top, bottom, end = _u(BAR_TOP), _u(BAR_BOTTOM), _u(length)
    parts = [
        f'<defs><pattern id="{pattern}" patternUnits="userSpaceOnUse" width="8" height="8" '
        f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        f'<line x1="2" y1="0" x2="2" y2="8" stroke="{BAR}" stroke-width="3.4"/></pattern></defs>',
        f'<rect class="hatched" x="0" y="{top}" width="{end}" height="{_u(BAR_BOTTOM - BAR_TOP)}" '
        f'fill="url(#{pattern})"/>',
        f'<path class="open-edge" d="M{end} {top}H0V{bottom}H{end}" fill="none" stroke="{BAR}" '
        f'stroke-width="3"/>',
    ]
    if label:
        baseline = (HEIGHT + 0.714 * LABEL_SIZE) / 2  # digits' height centred on the bar
        parts.append(
            f'<text x="{_u(length + GAP)}" y="{_u(baseline)}" font-family="{FONT}" '
            f'font-size="{_u(LABEL_SIZE)}" fill="{INK}">{escape(label)}</text>'
        )
    return "".join(parts)


def _ring() -> str:
    stroke = 0.4
    radius = (MARKER - stroke) / 2
    return (
        f'<circle class="marker" cx="{_u(MARKER / 2)}" cy="{_u(HEIGHT / 2)}" r="{_u(radius)}" '
        f'fill="none" stroke="{BAR}" stroke-width="{_u(stroke)}"/>'
    )


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
