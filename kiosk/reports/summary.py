"""A report's content as published: protected counts, key figures, sentences, approved comments.

The summary is plain JSON-ready data holding only what may leave the site (never a raw small
count): the HTML and the PDF are rendered from it, and it is stored beside the PDF for delivery.
Its parts are built in tables.py (the only module that sees raw counts), key_figures.py,
sentences.py (both from the printed figures only) and comments.py.
"""

from ..models import Site
from .comments import comments
from .key_figures import key_figures
from .periods import Period
from .sentences import sentences
from .tables import (
    Counts,
    followup_table,
    forms_table,
    languages_table,
    needs_table,
    reasons_table,
    satisfaction_table,
    table,
    total_cell,
    trend,
)

# table and total_cell are imported from here by the tests that build summaries by hand.
__all__ = ["SUMMARY_VERSION", "build_summary", "table", "total_cell"]

SUMMARY_VERSION = 1


def build_summary(site: Site, period: Period, k: int) -> dict:
    """Everything the report prints for `site` and `period`, protected with threshold `k`."""
    counts = Counts(site, period)
    forms = forms_table(counts, k)
    tables = {
        "reasons": reasons_table(counts, k),
        "languages": languages_table(counts, k),
        "needs": needs_table(counts, k),
        "followup": followup_table(counts, k),
        "satisfaction": satisfaction_table(counts, k),
    }
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
    }
    summary["key_figures"] = key_figures(forms, tables)
    summary["sentences"] = sentences(summary, period)
    return summary
