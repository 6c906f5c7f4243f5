"""The bars of the reports: no bar tells more, or less, than the number printed beside it.

An exact count is a solid bar, a lower bound ("mind. N") a hatched bar up to N with an open end
and its label, a hidden count ("<3", "•") a short marker; one scale per chart, lower bounds
included, so a smaller number is never drawn longer. One legend per report explains the marks.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time

import pytest

from kiosk.clock import TIMEZONE
from kiosk.extensions import db
from kiosk.hub.combine import combine_summaries
from kiosk.hub.combined import render_combined_html
from kiosk.models import Site
from kiosk.reports import charts
from kiosk.reports.periods import parse_period
from kiosk.reports.render import render_html
from kiosk.reports.summary import build_summary

from factories import add_submission

SVG = "{http://www.w3.org/2000/svg}"
ROUNDING = 0.01  # mm: the SVG's numbers have one decimal of its units, tenths of a mm
CREATED = datetime(2026, 11, 1, 6, tzinfo=UTC)


def exact(value: int) -> dict:
    return {"value": value, "text": f"{value:,}".replace(",", "."), "kind": "shown"}


def bound(low: int, high: int | None = None) -> dict:
    text = "mind. " + f"{low:,}".replace(",", ".")
    return {"value": None, "text": text, "kind": "at_least", "low": low, "high": high}


SMALL = {"value": None, "text": "<3", "kind": "small"}  # site and town: 1 or 2
HIDDEN = {"value": None, "text": "\N{BULLET}", "kind": "hidden"}  # site: at least 3, hidden


def drawn(cell: dict, chart: charts.Scale) -> ET.Element:
    return ET.fromstring(str(charts.bar(cell, chart)))


def extent(svg: ET.Element) -> float:
    """How far the mark reaches from the row's start, in mm (SVG units are tenths of a mm)."""
    shapes = [*svg.iter(f"{SVG}rect"), *svg.iter(f"{SVG}circle")]
    reach = 0.0
    for shape in shapes:
        if shape.get("class") in ("solid", "hatched"):
            reach = max(reach, float(shape.get("width")))
        elif shape.get("class") == "marker":
            radius = float(shape.get("r")) + float(shape.get("stroke-width")) / 2
            reach = max(reach, float(shape.get("cx")) + radius)
    return reach / charts.UNITS


def test_a_lower_bound_is_never_shorter_than_a_smaller_exact_count_and_a_hidden_one_shortest():
    # The town chart: needs of 3 got full-width bars while "mind. 5" got none.
    cells = [exact(3), bound(5), SMALL]
    chart = charts.scale(cells, 48)
    three, at_least_five, small = (extent(drawn(cell, chart)) for cell in cells)
    assert 0 < small < three < at_least_five
    assert at_least_five <= 48 and three < 48 / 2  # 5, not 3, sets the scale
    assert chart.largest == 5


@pytest.mark.parametrize("largest", [5, 60, 100_000])
def test_the_order_holds_on_every_scale(largest):
    cells = [exact(largest), exact(3), bound(3), bound(4), SMALL, HIDDEN]
    chart = charts.scale(cells, 32)
    lengths = [extent(drawn(cell, chart)) for cell in cells]
    big, three, at_least_three, at_least_four, small, hidden = lengths
    assert small == hidden < charts.MIN_BAR <= three == at_least_three <= at_least_four <= big
    assert max(lengths) <= 32


def test_a_lower_bound_is_hatched_with_an_open_end_and_labelled():
    chart = charts.scale([exact(900), bound(1234)], 48)
    svg = drawn(bound(1234), chart)
    pattern = svg.find(f"{SVG}defs/{SVG}pattern")
    assert pattern is not None and pattern.find(f"{SVG}line") is not None
    hatched = svg.find(f"{SVG}rect[@class='hatched']")
    assert hatched.get("fill") == f"url(#{pattern.get('id')})"
    assert hatched.get("stroke") is None  # the edges are drawn apart, without the closing one
    end = float(hatched.get("width"))
    edge = svg.find(f"{SVG}path[@class='open-edge']").get("d")
    # From the end along the top to the start, down, and back along the bottom: never up at
    # the end, so the bar stays open there.
    assert re.fullmatch(rf"M{end:g} [\d.]+H0V[\d.]+H{end:g}", edge), edge
    label = svg.find(f"{SVG}text")
    assert label.text == "mind. 1.234"
    assert float(label.get("x")) > end  # after the open end
    fits = float(label.get("x")) / charts.UNITS + charts.label_width(label.text)
    assert fits <= 48 + ROUNDING


def test_a_label_that_would_not_fit_makes_every_bar_of_its_chart_shorter_alike():
    cells = [exact(20_000), bound(19_000)]
    chart = charts.scale(cells, 26)
    assert chart.track < 26
    longest, hatched = (extent(drawn(cell, chart)) for cell in cells)
    assert longest == pytest.approx(chart.track, abs=0.1)
    assert hatched == pytest.approx(chart.track * 19_000 / 20_000, abs=0.1)
    label = drawn(bound(19_000), chart).find(f"{SVG}text")
    assert float(label.get("x")) / charts.UNITS + charts.label_width(label.text) <= 26 + ROUNDING
    # Without a lower bound nothing is kept free.
    assert charts.scale([exact(20_000), exact(19_000)], 26).track == 26


def test_exact_bars_are_solid_and_closed_and_hidden_cells_are_a_marker_without_length():
    chart = charts.scale([exact(40), SMALL, HIDDEN], 32)
    solid = drawn(exact(40), chart)
    assert solid.find(f"{SVG}rect[@class='solid']").get("fill") == charts.BAR
    assert solid.find(f"{SVG}pattern") is None and solid.find(f"{SVG}text") is None
    for cell in (SMALL, HIDDEN):
        marker = drawn(cell, chart)
        assert marker.find(f"{SVG}circle[@class='marker']") is not None
        assert marker.find(f"{SVG}rect") is None and marker.find(f"{SVG}text") is None


@pytest.mark.parametrize(
    "cell",
    [
        exact(0),
        {"value": None, "text": "\N{EN DASH}", "kind": "withheld"},
        {"value": None, "text": "\N{EN DASH}", "kind": "unknown", "low": 0, "high": None},
        {"value": None, "text": "kein Bericht", "kind": "missing", "low": 0, "high": None},
        None,
    ],
)
def test_nothing_is_drawn_for_zero_unknown_or_missing(cell):
    assert str(charts.bar(cell, charts.scale([exact(5), cell], 32))) == ""


def test_a_bar_is_decoration_titled_with_the_number_printed_beside_it():
    chart = charts.scale([exact(12), bound(7), SMALL], 32)
    for cell in (exact(12), bound(7), SMALL, HIDDEN):
        markup = str(charts.bar(cell, chart))
        svg = ET.fromstring(markup)
        assert svg.get("aria-hidden") == "true"  # the number beside it is the text
        assert svg.find(f"{SVG}title").text == cell["text"]  # the PDF figure's alternative text
        assert svg.get("width") == "32mm"
        assert "style" not in markup and "<script" not in markup
        assert "http" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_each_hatched_bar_has_its_own_pattern():
    chart = charts.scale([bound(7)], 32)
    ids = [drawn(bound(7), chart).find(f"{SVG}defs/{SVG}pattern").get("id") for _ in range(3)]
    assert len(set(ids)) == 3


# --- The reports' HTML --------------------------------------------------------------------------

# (slug, name): {reason: visits} in October 2026. Nord prints advice "<3" and papers "•";
# Süd advice "•" and german "<3"; the town: advice "mind. 4", german "mind. 13", meet 55,
# papers "mind. 12".
VISITS = {
    ("nord", "Treffpunkt Nord"): {"advice": 1, "german": 12, "meet": 30, "papers": 8},
    ("sued", "Treffpunkt Süd"): {"advice": 6, "german": 2, "meet": 25, "papers": 9},
}
OCTOBER = parse_period("2026-10")


@pytest.fixture
def summaries(app):
    """The real summaries of the two Treffpunkte for October 2026."""
    moment = datetime.combine(date(2026, 10, 14), time(11), TIMEZONE)
    when = moment.astimezone(UTC).replace(tzinfo=None)
    with app.app_context(), db.connection_context():
        result = {}
        for (slug, name), visits in VISITS.items():
            site = Site.create(slug=slug, name=name)
            for reason, count in visits.items():
                for _ in range(count):
                    add_submission(app, "visit", {"reason": reason}, when, "de", site)
            result[slug] = build_summary(site, OCTOBER, 3)
        return result


def bar_rows(html: str, table_start: str) -> dict[str, ET.Element | None]:
    """{row label: its bar's SVG or None} of the first table after `table_start`."""
    table = html[html.index(table_start) :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        label = re.search(r'<th scope="row">([^<]+)', row)
        cell = re.search(r'<td class="bar-cell">(.*?)</td>', row, re.S)
        if label and cell:
            rows[label.group(1).strip()] = ET.fromstring(cell.group(1)) if cell.group(1) else None
    return rows


def test_the_site_report_has_one_legend_and_markers_for_hidden_counts(app, summaries):
    with app.app_context():
        html = render_html(summaries["nord"], CREATED)
    assert html.count('class="chart-legend"') == 1
    assert html.count("So sind die Balken zu lesen") == 1
    legend = html[html.index('class="chart-legend"') :]
    legend = legend[: legend.index("</div>")]
    assert "Voller Balken" in legend and "„&lt;3“ oder „•“" in legend
    assert "mind." not in legend  # a site report prints no lower bounds
    assert html.index('class="chart-legend"') < html.index('class="bar ')  # before the charts
    rows = bar_rows(html, "<h3>Anlass</h3>")
    assert rows["Beratung"].get("class") == "bar marker"  # "<3"
    assert rows["Hilfe bei Papieren"].get("class") == "bar marker"  # "•"
    assert extent(rows["Deutsch lernen"]) < extent(rows["Menschen treffen"]) <= 32
    assert "hatched" not in html


def test_the_combined_report_has_one_legend_and_hatched_lower_bounds(app, summaries):
    records = [
        {"uuid": str(uuid.uuid4()), "site": summary["site"], "period": summary["period"]}
        | {"summary": summary}
        for summary in summaries.values()
    ]
    combined = combine_summaries(records)
    with app.app_context():
        html = render_combined_html(combined, CREATED)
    assert html.count('class="chart-legend"') == 1
    legend = html[html.index('class="chart-legend"') :]
    legend = legend[: legend.index("</div>")]
    assert "Voller Balken" in legend and "„mind. 25“" in legend and "„&lt;3“ oder „•“" in legend
    assert html.index('class="chart-legend"') < html.index('class="bar ')
    rows = bar_rows(html, "<h3>Anlass</h3>")
    assert rows["Menschen treffen"].get("class") == "bar exact"
    for label, text in [
        ("Beratung", "mind. 4"),
        ("Deutsch lernen", "mind. 13"),
        ("Hilfe bei Papieren", "mind. 12"),
    ]:
        assert rows[label].get("class") == "bar bound"
        assert rows[label].find(f"{SVG}text").text == text
    lengths = {label: extent(svg) for label, svg in rows.items() if svg is not None}
    assert (
        lengths["Beratung"]
        < lengths["Hilfe bei Papieren"]
        < lengths["Deutsch lernen"]
        < lengths["Menschen treffen"]
        <= 48
    )
    sites = bar_rows(html, "Treffpunkte im Vergleich")
    assert extent(sites["Treffpunkt Süd"]) < extent(sites["Treffpunkt Nord"]) <= 26
