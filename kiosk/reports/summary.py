"""A report's content as published: protected counts, key figures, sentences, approved comments.

The summary is plain JSON-ready data holding only what may leave the site (never a raw small
count): the HTML and the PDF are rendered from it, and it is stored beside the PDF for delivery.
Its parts are built in tables.py (the only module that sees raw counts), key_figures.py,
sentences.py (both from the printed figures only) and comments.py.
"""

from ..models import Site
from .comments import comments
from .granularity import Published, coverage_of, granularity, limit_to_published, protected_tables
from .key_figures import key_figures
from .periods import Period
from .sentences import sentences
from .tables import Counts, table, total_cell, trend

# table and total_cell are imported from here by the tests that build summaries by hand.
__all__ = ["SUMMARY_VERSION", "build_summary", "table", "total_cell"]

SUMMARY_VERSION = 1


def build_summary(site: Site, period: Period, k: int, published: Published | None = None) -> dict:
    """Everything the report prints for `site` and `period`, protected with threshold `k`.

    `published`: what the site's other built reports print (kiosk/reports/granularity.py); the
    previous period's column and the trend then print only what they allow. None: as if no
    report had been built (for summaries by hand, as in tests).
    """
    counts = Counts(site, period)
    forms, tables = protected_tables(counts, k)
    summary = {
        "version": SUMMARY_VERSION,
        "site": {"slug": site.slug, "name": site.name},
        "period": period.to_dict(),
        "previous": period.previous().to_dict(),
        "min_cell": k,
        "forms": forms,
        "tables": tables,
        "trend": trend(counts, k),
        "comments": comments(site, period),
        "granularity": granularity(site, period, k, coverage_of(period, forms, tables)),
    }
    if published is not None:
        limit_to_published(summary, period, published)
    summary["key_figures"] = key_figures(forms, tables)
    summary["sentences"] = sentences(summary, period)
    return summary
