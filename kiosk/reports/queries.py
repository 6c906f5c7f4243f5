"""Report queries: counts per period in SQL (GROUP BY), returned as plain rows.

Every count query takes a list of periods and answers for all of them at once: each row carries
the index of its period in that list ("bucket"), so the current and the previous period (or the
trend's six) come from one walk over the index on Submission.created_at.
"""

from collections import defaultdict

from peewee import JOIN, Case, fn

from ..directory.entries import office_names_by_need
from ..models import (
    Answer,
    CaseChange,
    CommentApproval,
    FormVersion,
    NeedCase,
    Site,
    Submission,
)
from .periods import Period


def _bucket(periods: list[Period]):
    """CASE expression: the index of the period a submission's time falls into."""
    bounds = [period.utc_bounds() for period in periods]
    return Case(
        None,
        [
            ((Submission.created_at >= start) & (Submission.created_at < end), index)
            for index, (start, end) in enumerate(bounds)
        ],
    )


def _in_periods(site: Site, periods: list[Period]):
    starts, ends = zip(*(period.utc_bounds() for period in periods), strict=True)
    return (
        # "+ 0": SQLite would otherwise walk the site's index (every submission ever) instead
        # of the time range, and a report would get slower with every month of history.
        ((Submission.site + 0) == site.id)
        & (Submission.created_at >= min(starts))
        & (Submission.created_at < max(ends))
    )


def submission_counts(site: Site, periods: list[Period]) -> list[tuple[int, str, str, str, int]]:
    """[(bucket, form slug, language code, follow-up status, submissions)], in one pass.

    E.g. [(1, "visit", "ar", "new", 190), (1, "intake", "uk", "done", 12), …]: the counts per
    form, per language and per status are sums over these rows.
    """
    bucket = _bucket(periods)
    query = (
        Submission.select(
            bucket.alias("bucket"),
            FormVersion.slug,
            Submission.lang,
            Submission.status,
            fn.COUNT(Submission.id),
        )
        .join(FormVersion)
        .where(_in_periods(site, periods))
        .group_by(bucket, FormVersion.slug, Submission.lang, Submission.status)
    )
    return [row for row in query.tuples() if row[0] is not None]


def answer_counts(
    site: Site, periods: list[Period], fields: list[tuple[str, str]]
) -> list[tuple[int, str, str, str, int]]:
    """[(bucket, form slug, field, value, answers)] for the (form, field) pairs asked, one pass.

    E.g. [(1, "visit", "reason", "advice", 284), (1, "intake", "needs", "housing", 40), …]. A
    multiple-choice field has one row per chosen option, so its counts add up to more than the
    submissions.
    """
    bucket = _bucket(periods)
    wanted = None
    for form, field in fields:
        clause = (FormVersion.slug == form) & (Answer.field == field)
        wanted = clause if wanted is None else (wanted | clause)
    query = (
        Submission.select(
            bucket.alias("bucket"),
            FormVersion.slug,
            Answer.field,
            Answer.value,
            fn.COUNT(Answer.id),
        )
        .join(FormVersion)
        .switch(Submission)
        # CROSS JOIN keeps SQLite walking the period's submissions, then their answers, rather
        # than every answer ever given to these fields.
        .join(Answer, JOIN.CROSS)
        .where(
            _in_periods(site, periods),
            Answer.submission == Submission.id,
            Answer.field.in_([field for _, field in fields]),
            wanted,
        )
        .group_by(bucket, FormVersion.slug, Answer.field, Answer.value)
    )
    return [row for row in query.tuples() if row[0] is not None]


def need_states(site: Site, period: Period) -> list[tuple[str, str, int]]:
    """[(need, follow-up status at the period's end, cases)] of the needs named in the period's
    intakes, e.g. [("housing", "handed_over", 12), ("housing", "done", 30), …].

    The status at the end is read from each case's history (CaseChange): the last status set
    before the end, or, if it was first set later, the status that change found; a case never
    changed has its status still. So a report built again later counts the same.
    """
    _, end = period.utc_bounds()
    cases = (
        NeedCase.select(NeedCase.id, NeedCase.need, NeedCase.status)
        .join(Submission)
        .where(_in_periods(site, [period]))
    )
    changes = (
        CaseChange.select(CaseChange.case, CaseChange.before, CaseChange.after, CaseChange.at)
        .where(CaseChange.case.in_(cases.select(NeedCase.id)))
        .order_by(CaseChange.at, CaseChange.id)
    )
    set_before: dict[int, str] = {}  # the last status set before the end
    found_after: dict[int, str] = {}  # the status the first change after the end found
    for change in changes:
        if "status" not in change.after:
            continue
        if change.at < end:
            set_before[change.case_id] = change.after["status"]
        else:
            found_after.setdefault(change.case_id, change.before.get("status"))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for case in cases:
        status = set_before.get(case.id) or found_after.get(case.id) or case.status
        counts[case.need, status] += 1
    return [(need, status, count) for (need, status), count in counts.items()]


def approved_comments(site: Site, period: Period, limit: int) -> list[tuple[str, str]]:
    """[(language code, text)] of free-text answers approved for the report, oldest first.

    Only approved answers, never their submission's other answers, time or id.
    """
    query = (
        Answer.select(Submission.lang, Answer.value)
        .join(CommentApproval, on=(CommentApproval.answer == Answer.id))
        .switch(Answer)
        .join(Submission)
        .where(_in_periods(site, [period]))
        .order_by(Submission.created_at, Answer.id)
        .limit(limit)
    )
    return list(query.tuples())


def approved_comment_count(site: Site, period: Period) -> int:
    return (
        Answer.select()
        .join(CommentApproval, on=(CommentApproval.answer == Answer.id))
        .switch(Answer)
        .join(Submission)
        .where(_in_periods(site, [period]))
        .count()
    )


def offices_per_need() -> dict[str, str]:
    """{need value: responsible office} from the directory, e.g. {"housing": "Sozialamt"}."""
    return office_names_by_need()


def option_labels(form: str) -> dict[str, dict[str, str]]:
    """{field: {option value: German label}} over every stored version, the newest winning."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    versions = (
        FormVersion.select(FormVersion.spec)
        .where(FormVersion.slug == form)
        .order_by(FormVersion.number)
    )
    for version in versions:
        for field in version.spec.get("fields", []):
            for option in field.get("options", []):
                labels[field["name"]][option["value"]] = option["label"]
    return dict(labels)


def form_titles() -> dict[str, str]:
    """{form slug: German title of its newest version}."""
    newest = (
        FormVersion.select(FormVersion.slug, fn.MAX(FormVersion.number).alias("number"))
        .group_by(FormVersion.slug)
        .alias("newest")
    )
    query = FormVersion.select(FormVersion.slug, FormVersion.spec).join(
        newest,
        JOIN.INNER,
        on=((FormVersion.slug == newest.c.slug) & (FormVersion.number == newest.c.number)),
    )
    return {version.slug: version.spec.get("title", version.slug) for version in query}
