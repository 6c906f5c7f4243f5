"""Time and peak memory to build a monthly report from 1,000, 10,000 and 100,000 submissions.

For each size, a fresh instance in a temporary folder gets that many submissions in October 2026
(bulk insert_many, the demo's mix of forms, languages and answers) plus a fifth as many in each of
the five months before (for the previous period and the trend). Then the October report is built
the way `kiosk report build --rebuild` builds it (SQL counts, suppression, HTML, PDF in a worker
process, files written), several times; the first build of an instance also fills its font cache
and is shown apart.

The floor: WeasyPrint rendering fixed HTML of the same number of pages with the same stylesheet
and fonts, in the same kind of worker process. build / floor says what our part costs on top.

Timings never make this fail; it exits 1 only if a build fails.

    .venv/bin/python bench/report_bench.py [--sizes 1000,10000,100000] [--repeat 3] [--json F]
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD = "2026-10"
EARLIER_SHARE = 0.2  # of the month's count, in each of the five months before
CHUNK = 2000  # rows per INSERT; 6 columns stay far below SQLite's variable limit
GOAL_10K_SECONDS = 3.0
GOAL_100K_RATIO = 1.3


def fill(app, count: int, seed: int = 2026) -> dict:
    """Bulk-insert `count` submissions into October and some into the months before."""
    from kiosk.extensions import db
    from kiosk.models import Answer, CommentApproval, FormVersion, Site, Submission
    from kiosk.reports.periods import parse_period
    from kiosk.visitor.demo import FORM_WEIGHTS, LANGUAGE_WEIGHTS, demo_answers
    from kiosk.visitor.submissions import answer_rows

    rng = random.Random(seed)
    forms = app.extensions["kiosk_forms"]
    slugs = list(FORM_WEIGHTS)
    periods = parse_period(PERIOD).recent(6)
    plan = [(periods[-1], count)] + [(p, int(count * EARLIER_SHARE)) for p in periods[:-1]]
    submissions = answers = 0
    with app.app_context(), db.connection_context(), db.atomic():
        site = Site.get()
        versions = {slug: FormVersion.for_spec(forms[slug]).id for slug in slugs}
        next_id = 1
        for period, how_many in plan:
            start, end = period.utc_bounds()
            seconds = int((end - start).total_seconds())
            rows, answer_batch = [], []
            # In time order, as the kiosk stores them: ids grow with created_at.
            offsets = sorted(rng.randrange(seconds) for _ in range(how_many))
            moments = [start + timedelta(seconds=offset) for offset in offsets]
            for moment in moments:
                slug = rng.choices(slugs, list(FORM_WEIGHTS.values()))[0]
                rows.append(
                    {
                        "id": next_id,
                        "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "site": site.id,
                        "form_version": versions[slug],
                        "lang": rng.choices(list(LANGUAGE_WEIGHTS), LANGUAGE_WEIGHTS.values())[0],
                        "created_at": moment,
                        "status": rng.choice(("new", "in_progress", "handed_over", "done")),
                    }
                )
                answer_batch += answer_rows(forms[slug], demo_answers(forms[slug], rng), next_id)
                next_id += 1
            for i in range(0, len(rows), CHUNK):
                Submission.insert_many(rows[i : i + CHUNK]).execute()
            for i in range(0, len(answer_batch), CHUNK):
                Answer.insert_many(answer_batch[i : i + CHUNK]).execute()
            submissions += len(rows)
            answers += len(answer_batch)
        comments = Answer.select().where(Answer.field == "comment").limit(5)
        for comment in comments:
            CommentApproval.create(answer=comment, user_name="bench")
    return {"submissions": submissions, "answers": answers}


def fixed_html(pages: int) -> str:
    """`pages` pages of plain text and a short table, on the report's stylesheet and fonts."""
    paragraph = (
        "Im Treffpunkt Mittendrin kamen viele Menschen zur Beratung, zum Deutschlernen und "
        "um andere Menschen zu treffen. Die Ehrenamtlichen geben Anliegen an die Stellen weiter. "
    ) * 3
    rows = "".join(f"<tr><th>Zeile {i}</th><td class='num'>{i * 7}</td></tr>" for i in range(8))
    page = (
        f"<section class='chapter'><h2>Abschnitt</h2><p>{paragraph}</p><p>{paragraph}</p>"
        f"<table class='counts'><tbody>{rows}</tbody></table></section>"
    )
    body = "<div style='break-after: page'></div>".join(page for _ in range(pages))
    return (
        "<!doctype html><html lang='de'><head><meta charset='utf-8'><title>Boden</title>"
        "<link rel='stylesheet' href='print/report.css'></head>"
        f"<body><article class='report'>{body}</article></body></html>"
    )


def measure(size: int, repeat: int) -> dict:
    from kiosk import create_app
    from kiosk.db import prepare_database
    from kiosk.extensions import db
    from kiosk.models import Site
    from kiosk.reports.disclosure import min_cell
    from kiosk.reports.periods import parse_period
    from kiosk.reports.render import font_cache_dir, render_pdf, static_root
    from kiosk.reports.store import build_report
    from kiosk.reports.summary import build_summary

    with tempfile.TemporaryDirectory(prefix="mittendrin-report-bench-") as folder:
        os.environ["KIOSK_INSTANCE_PATH"] = os.path.join(folder, "instance")
        app = create_app({"SECRET_KEY": "bench", "TESTING": True})
        prepare_database(app)
        started = time.perf_counter()
        rows = fill(app, size)
        fill_seconds = time.perf_counter() - started
        period = parse_period(PERIOD)
        builds, summaries = [], []
        with app.app_context(), db.connection_context():
            site = Site.get()
            first = _timed(lambda: build_report(site, period, rebuild=True))
            rss_before = _own_rss_kb()
            for _ in range(repeat):
                builds.append(_timed(lambda: build_report(site, period, rebuild=True)))
                summaries.append(
                    _timed(lambda: build_summary(site, period, min_cell(app.config)))[0]
                )
            rss_after = _own_rss_kb()
            pages = builds[0][1].pages
            floors = [
                _timed(lambda: render_pdf(fixed_html(pages), static_root(), font_cache_dir()))
                for _ in range(repeat)
            ]
        database_mb = os.path.getsize(os.path.join(folder, "instance", "kiosk.sqlite3")) / 2**20
    build_s = statistics.median(seconds for seconds, _ in builds)
    floor_s = statistics.median(seconds for seconds, _ in floors)
    return {
        "size": size,
        **rows,
        "fill_seconds": fill_seconds,
        "database_mb": database_mb,
        "pages": pages,
        "first_build_s": first[0],
        "build_s": build_s,
        "summary_s": statistics.median(summaries),
        "floor_s": floor_s,
        "ratio": build_s / floor_s,
        "worker_peak_mb": max(result.peak_memory_kb for _, result in builds) / 1024,
        "floor_peak_mb": max(result.peak_memory_kb for _, result in floors) / 1024,
        "server_growth_mb": (rss_after - rss_before) / 1024,
    }


def _timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _own_rss_kb() -> int:
    """This process's resident memory now (Linux), to see whether building grows the server."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def print_table(results: list[dict]) -> None:
    columns = [
        ("submissions in October", lambda r: f"{r['size']:,}"),
        ("all submissions / answer rows", lambda r: f"{r['submissions']:,} / {r['answers']:,}"),
        ("database", lambda r: f"{r['database_mb']:.1f} MB"),
        ("pages", lambda r: str(r["pages"])),
        ("build, first (cold font cache)", lambda r: f"{r['first_build_s']:.2f} s"),
        ("build (median)", lambda r: f"{r['build_s']:.2f} s"),
        ("  of which SQL counts + suppression", lambda r: f"{r['summary_s']:.2f} s"),
        ("floor: fixed HTML, same pages", lambda r: f"{r['floor_s']:.2f} s"),
        ("build / floor", lambda r: f"{r['ratio']:.2f}"),
        ("worker peak memory", lambda r: f"{r['worker_peak_mb']:.0f} MB"),
        ("floor worker peak memory", lambda r: f"{r['floor_peak_mb']:.0f} MB"),
        ("server process growth", lambda r: f"{r['server_growth_mb']:.1f} MB"),
    ]
    width = max(len(name) for name, _ in columns)
    print(f"{'':<{width}}  " + "  ".join(f"{r['size']:>14,}" for r in results))
    for name, cell in columns:
        print(f"{name:<{width}}  " + "  ".join(f"{cell(r):>14}" for r in results))
    by_size = {r["size"]: r for r in results}
    if 10_000 in by_size:
        print(
            f"\ngoal: 10,000 in a month under {GOAL_10K_SECONDS} s: "
            f"{by_size[10_000]['build_s']:.2f} s"
        )
        if 100_000 in by_size:
            ratio = by_size[100_000]["build_s"] / by_size[10_000]["build_s"]
            print(f"goal: 100,000 at most {GOAL_100K_RATIO}x that: {ratio:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"report bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    results = []
    for size in sizes:
        try:
            result = measure(size, args.repeat)
        except Exception as error:  # a failed build is the one thing that fails the bench
            print(f"{size:,}: build failed: {error}", file=sys.stderr)
            return 1
        print(
            f"{size:,}: filled {result['submissions']:,} submissions in "
            f"{result['fill_seconds']:.1f} s, built in {result['build_s']:.2f} s",
            flush=True,
        )
        results.append(result)
    print()
    print_table(results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as output:
            json.dump({"date": date.today().isoformat(), "results": results}, output, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
