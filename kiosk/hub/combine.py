"""The town-wide summary: the sites' published summaries added up, never uncovering a hidden count.

What the hub adds up is what the sites published, nothing more: a site sends only protected
counts (kiosk/reports/disclosure.py), so the hub never knows a count hidden as "<k", "•" or a dash.
Every combined figure is therefore worked out from figures that are printed in the sites'
reports anyway, and a reader who holds every site report learns nothing new from the combined
report: in particular no hidden site count can be recovered from it by adding or subtracting.

Where each part of that is kept: site_summaries.py reads and checks the sites' summaries and says
what each published count stands for; bounds.py says what a combined count may be printed as
("mind. N", "<K", a dash); totals.py adds up the tables, totals, key figures and mean rating.
"""

from collections.abc import Sequence

from ..reports.periods import Period
from .site_summaries import (
    TOPICS,
    CombineError,
    chosen_periods,
    collect_parts,
    combined_period,
    site_list,
)
from .totals import Combination

# CombineError is imported from here by the tests.
__all__ = ["COMBINED_VERSION", "CombineError", "combine_summaries"]

COMBINED_VERSION = 1


def combine_summaries(
    records: Sequence[dict],
    periods: Sequence[Period] | None = None,
    sites: Sequence[dict] | None = None,
) -> dict:
    """The town's summary from the sites' report records (as kiosk/reports/store.py writes them).

    `periods`: the consecutive periods to combine (default: those of the records, gaps filled);
    `sites`: every site expected to report ({"slug", "name"}), so a silent one is listed too.
    Visitor comments are never taken over: the combined report holds numbers only.
    """
    chosen = chosen_periods(records, periods)
    parts, unreadable = collect_parts(records, chosen)
    if not parts:
        left_out = "; ".join(
            f"der Bericht von {report['name']} für {report['period']} ({report['problem']})"
            for report in unreadable
        )
        raise CombineError(
            "Für den gewählten Zeitraum liegen keine lesbaren Berichte vor."
            + (f" Nicht lesbar: {left_out}." if left_out else "")
        )
    k = max(part.summary["min_cell"] for part in parts.values())
    combination = Combination(parts, site_list(records, sites), chosen, k)
    site_rows = [combination.site_row(site) for site in combination.sites]
    everything = combination.of(combination.all_slugs, combination.all_keys)
    return {
        "version": COMBINED_VERSION,
        "period": combined_period(chosen),
        "periods": [period.to_dict() for period in chosen],
        "min_cell": k,
        "min_cells": sorted({part.summary["min_cell"] for part in parts.values()}),
        "sites": site_rows,
        "complete": all(row["status"] == "complete" for row in site_rows),
        "key_figures": combination.figures(everything),
        "tables": {topic: combination.table(topic, title) for topic, title in TOPICS},
        "trend": combination.trend(),
        "reports": len(parts),
        "unreadable": unreadable,
    }
