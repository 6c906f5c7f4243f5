"""Hostile input at every route (hypothesis): never a 500, and nothing stored changes.

Every rule in `app.url_map` with every method it allows gets random and hostile bodies,
headers, query parameters and path parameters, as an anonymous visitor and as logged-in staff
of each role (volunteer, coordinator, admin), on a kiosk and on a hub. The hostile values are
extreme dates and period keys (year 1, year 9999, week 54, digits of other scripts), control
characters (CR/LF, NUL, escape), bidi marks and isolates, and very long values.
None of these requests carries a valid CSRF token or site token, so none may change a row.
Raw paths (traversal, NUL, overlong, broken UTF-8) are thrown at the app as a server passes them.
Run time stays bounded: a fixed number of examples, the same ones on every run.
"""

import hashlib
import os
import uuid
from itertools import product
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, UUIDConverter

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import ROLES, Answer, Draft, FormVersion, Submission
from kiosk.visitor.demo import fill_demo_data

from factories import add_user
from server import log_in

settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is stable
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
FUZZ = settings.get_profile("fuzz")
ROUTE_EXAMPLES = settings(FUZZ, max_examples=200)  # per app: kiosk and hub
PATH_EXAMPLES = settings(FUZZ, max_examples=60)
# Rows a valid read may change: the audit log records views, a session its last click.
VOLATILE = {"audit_event": None, "user_session": "last_seen"}


# --- The apps under fire --------------------------------------------------------------------------


class Target:
    """One app with demo data, a visitor's and an admin's client, and the values its URLs take."""

    def __init__(self, path, role: str):
        os.environ["KIOSK_INSTANCE_PATH"] = str(path)
        self.app = create_app(
            {
                "SECRET_KEY": "fuzz",
                "TESTING": True,
                "PROPAGATE_EXCEPTIONS": True,  # an exception fails the test, never a quiet 500
                "ROLE": role,
            }
        )
        prepare_database(self.app)
        with self.app.app_context(), db.connection_context():
            fill_demo_data(self.app.extensions["kiosk_forms"], 30, months=2, seed=11)
            self.values = self.known_values()
        self.visitor = self.app.test_client()
        self.clients = {"anonymous": self.visitor}
        for role in ROLES:
            add_user(self.app, f"fuzz{role}", role)
            self.clients[role] = log_in(self.app.test_client(), f"fuzz{role}").client
        self.admin = self.clients["admin"]

    def known_values(self) -> dict[str, list]:
        forms = self.app.extensions["kiosk_forms"]
        version = FormVersion.select().first()
        draft = Draft.create(form_version=version, lang="de", answers={})
        submission = Submission.select().first()
        fields = sorted({field.name for spec in forms.values() for field in spec.fields})
        texts = ["de", "ar", "ti", *forms, *fields, "housing", "2026-10", "mittendrin", "x"]
        return {
            "uuid": [draft.uuid, submission.uuid],
            "int": [submission.id, Answer.select().first().id, 0],
            "text": texts,
            # One value per parameter name that fits the others: a real page to vary from.
            "valid": {
                "lang": "de",
                "form_slug": version.slug,
                "name": version.spec["fields"][0]["name"],
                "need": "housing",
                "key": "2026-10",
                "slug": "mittendrin",
            },
        }

    def snapshot(self) -> dict[str, str]:
        """A checksum of every table's rows (volatile columns left out)."""
        with self.app.app_context(), db.connection_context():
            tables = [row[0] for row in db.execute_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )]  # fmt: skip
            return {table: self.table_checksum(table) for table in sorted(tables)}

    def table_checksum(self, table: str) -> str:
        if VOLATILE.get(table, "") is None:
            return "volatile"
        cursor = db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')
        names = [column[0] for column in cursor.description]
        skip = VOLATILE.get(table)
        digest = hashlib.sha256()
        for row in cursor:
            kept = [value for name, value in zip(names, row, strict=True) if name != skip]
            digest.update(repr(kept).encode())
        return digest.hexdigest()


@pytest.fixture(scope="module", params=["kiosk", "hub"])
def target(request, tmp_path_factory):
    before = os.environ.get("KIOSK_INSTANCE_PATH")
    try:
        yield Target(tmp_path_factory.mktemp(f"fuzz-{request.param}") / "instance", request.param)
    finally:
        if before is None:
            os.environ.pop("KIOSK_INSTANCE_PATH", None)
        else:
            os.environ["KIOSK_INSTANCE_PATH"] = before


def routes(app) -> dict[tuple[str, str], object]:
    """{(rule, method): rule} for every rule of the app and every method it allows."""
    return {
        (rule.rule, method): rule
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }


# --- Hostile input ------------------------------------------------------------------------------

# Dates and period keys at and beyond every edge: each once answered 500 somewhere.
EXTREME_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0001-W01",
    "2026-13",
    "2026-W54",
    "2025-W53",
    "9999-Q4",
    "0000-00-00",
    "2026-02-30",
    "31.02.2026",
    "2026-11-01_9999-12-31",
    "0001-01-01_0001-01-31",
    "2026-11-15_2026-11-01",
    "9999-12-31T23:59:59",
    "+275760-09-13",
    "99999999999999999999",
    "-1",
    "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0660\u0661",  # 2026-11-01 in Arabic-Indic digits
    "\u06f9\u06f9\u06f9\u06f9-\u06f1\u06f2",  # 9999-12 in Persian digits
]
CONTROL_CHARACTERS = [
    "\r\n",
    "2026-11\r\nSet-Cookie: fuzz=1",
    "/review/\r\nLocation: //evil.example",
    "\x00",
    "2026-11-01\x00",
    "\x1b[31m\x07\x08",
    "\t\x0b\x0c\x7f",
    "\u0085\u2028\u2029\ufeff",
]
BIDI_MARKS = [
    "\u202e2026-11-01",
    "2026\u202e-W47",
    "\u2066\u2067\u2068\u2069",
    "\u2067\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u2069 fdp.exe",
    "\u200f\u0662\u0660\u0662\u0666\u200e",
    "\u202a\u202b\u202c\u202d\u202e",
]
VERY_LONG = [
    "9" * 3000,
    "2026-11-01_" * 300,
    "\u202e" * 1000,
    "\u0661" * 2000,
]
HOSTILE_VALUES = EXTREME_DATES + CONTROL_CHARACTERS + BIDI_MARKS + VERY_LONG
# Every query parameter a view reads (filters, report periods, the hub's span, redirects,
# paging): each gets hostile values, and so do names no view knows.
QUERY_NAMES = [
    "since",
    "until",
    "period",
    "von",
    "bis",
    "day",
    "page",
    "form",
    "lang",
    "status",
    "need",
    "q",
    "show",
    "action",
    "next",
    "review",
    "quiet",
    "art",
]
# Form fields the staff and visitor forms post, with the date and time fields among them.
FORM_NAMES = [
    *QUERY_NAMES,
    "starts",
    "ends",
    "text",
    "reason",
    "name",
    "password",
    "answer",
    "t_title_de",
]

NASTY_TEXT = st.sampled_from(
    [
        *HOSTILE_VALUES,
        "",
        "\x00",
        "../../etc/passwd",
        "..\\..\\windows",
        "%00",
        "%2e%2e%2f",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
        "\ud7ff\uffff",
        "🙂" * 50,
        "a" * 5000,
        "-1",
        "99999999999999999999999",
        "NaN",
        "[]",
        "{}",
    ]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
FIELD_NAMES = st.one_of(
    st.sampled_from(
        [
            "answer",
            "csrf_token",
            "ids",
            "status",
            "user",
            "text",
            "reason",
            "name",
            "password",
            "a[b][c]",
            "a[]",
            "__proto__",
            "answer.0",
            "bulk-status",
            "no_answer",
            "direction",
            "review",
            "approved",
            "record",
            "pdf",
            *FORM_NAMES,
        ]
    ),
    st.text(max_size=12),
)
FORM_DATA = st.lists(st.tuples(FIELD_NAMES, TEXT), max_size=8)


@st.composite
def bodies(draw):
    """(body, content type, content length override or None)."""
    kind = draw(st.sampled_from(["form", "multipart", "json", "binary", "huge", "bad-multipart"]))
    if kind == "form":
        pairs = draw(FORM_DATA)
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
        content_type = "application/x-www-form-urlencoded"
    elif kind == "multipart":
        boundary = "fuzzboundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in draw(FORM_DATA)
        ]
        body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8", "surrogatepass")
        content_type = f"multipart/form-data; boundary={boundary}"
    elif kind == "json":
        body = draw(
            st.recursive(
                st.none() | st.booleans() | st.integers() | TEXT,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3)
                ),
                max_leaves=8,
            ).map(lambda value: repr(value).encode("utf-8", "surrogatepass"))
        )
        content_type = "application/json"
    elif kind == "binary":
        body = draw(st.binary(max_size=512))
        content_type = draw(st.sampled_from(["application/octet-stream", "text/plain", ""]))
    elif kind == "huge":
        body = b"a=" + b"x" * draw(st.sampled_from([70_000, 200_000]))
        content_type = "application/x-www-form-urlencoded"
    else:
        body = draw(
            st.sampled_from(
                [
                    b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end',
                    b"garbage without boundary",
                    b"--b\r\n\r\n\r\n--b--",
                    b'--b\r\nContent-Disposition: form-data; name="f"; filename="../x"\r\n'
                    b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\x00\xff\r\n--b--\r\n",
                ]
            )
        )
        content_type = draw(
            st.sampled_from(["multipart/form-data; boundary=b", "multipart/form-data", ""])
        )
    lie = draw(st.sampled_from([None, None, "0", "5", str(len(body) + 1000), "-1", "abc"]))
    return body, content_type, lie


HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(["true", "false", "\x7f"]),
        "HX-History-Restore-Request": st.just("true"),
        "HX-Current-URL": TEXT.filter(lambda text: text.isprintable()),
        "Accept-Language": st.sampled_from(["ar", "*", "xx-YY;q=2", ";;;", "de;q=abc", "ti,ar"]),
        "Authorization": st.sampled_from(["Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer"]),
        "X-CSRFToken": st.sampled_from(["", "x", "IjEi.abc.def"]),
        "X-Forwarded-For": st.just("1.2.3.4, 5.6.7.8"),
        "X-Forwarded-Proto": st.just("https"),
        "Accept": st.sampled_from(["application/json", "*/*", "text/html;q=x"]),
    },
)


# Around SQLite's 64-bit integers: an id in a URL must never overflow the driver.
EDGE_INTEGERS = [2**31, 2**63 - 1, 2**63, 2**64, 10**40]
# Path segments: report keys and other names at the edges ("ሰላም" stays last: see classic_paths).
ODD_SEGMENTS = [
    "..",
    "%00",
    "a" * 300,
    "0001-W01",
    "9999-12-31",
    "2026-W54",
    "2026-11-01_9999-12-31",
    "\u0662\u0660\u0662\u0666-\u0661\u0661",
    "\u202e2026-11",
    "2026-11\r\n",
    "ሰላም",
]


def candidates(target: Target, converter) -> list:
    """Values of the right kind for a path parameter: real ones first, then edge cases."""
    if isinstance(converter, UUIDConverter):
        return [*target.values["uuid"], uuid.UUID(int=0)]
    if isinstance(converter, IntegerConverter):
        return [*target.values["int"], *EDGE_INTEGERS]
    return [*target.values["text"], *ODD_SEGMENTS]


def path_values(draw, target: Target, rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        known = st.sampled_from(candidates(target, converter))
        if isinstance(converter, UUIDConverter):
            values[name] = draw(known | st.uuids())
        elif isinstance(converter, IntegerConverter):
            values[name] = draw(known | st.integers(0, 2**80))
        else:
            values[name] = draw(known | TEXT.filter(bool))
    return values


def classic_paths(target: Target, rule) -> list[str]:
    """The rule with each candidate in each parameter (the others at their first candidate)."""
    first = {
        name: target.values["valid"].get(name, candidates(target, c)[0])
        for name, c in rule._converters.items()
    }
    paths = [build_path(rule, first)]
    for name, converter in rule._converters.items():
        known = candidates(target, converter)
        edges = ODD_SEGMENTS if known[-1] == ODD_SEGMENTS[-1] else known[1:]
        for value in edges:
            paths.append(build_path(rule, {**first, name: value}))
    return [path for path in dict.fromkeys(paths) if path is not None]


def build_path(rule, values: dict) -> str | None:
    try:
        return rule.build(values, append_unknown=False)[1]
    except (ValueError, TypeError):
        return None  # a value the rule's converter cannot put into a URL at all


def check_response(response, path: str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {path}"
    body = response.get_data()
    assert b"SECRET_KEY" not in body, f"{path} showed a config file"
    response.close()


def encoded(pairs) -> str:
    """A query string or form body; characters UTF-8 cannot hold (lone surrogates) escaped."""
    return urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])


QUERIES = st.one_of(
    st.sampled_from(["", "?review=1", "?page=-5", "?next=//evil.example",
                     "?q=%00&since=2026-13-45", "?quiet=1&page=x"]),
    st.lists(
        st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=8),
                  st.sampled_from(HOSTILE_VALUES) | TEXT),
        min_size=1,
        max_size=4,
    ).map(lambda pairs: "?" + encoded(pairs)),
)  # fmt: skip


# --- The tests ------------------------------------------------------------------------------------


MULTIPART = "multipart/form-data; boundary=b"
CLASSICS = [
    (b"", ""),
    (b"\x00\xff" * 64, "application/octet-stream"),
    (b"a[b][c]=1&a[]=2&answer=%00&csrf_token=x", "application/x-www-form-urlencoded"),
    (b'{"uuid": "../../x", "answers": {"a": [null, {"b": 1e999}]}}', "application/json"),
    (b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nend?', MULTIPART),
    (b"x=" + b"y" * 70_000, "application/x-www-form-urlencoded"),
]  # fmt: skip


def test_every_route_and_method_gets_the_classics(target):
    """Each (rule, method) of the app's own URL map, so a new route is covered by itself."""
    listed = routes(target.app)
    assert len(listed) >= 30
    before = target.snapshot()
    for (_rule, method), rule in listed.items():
        for number, path in enumerate(classic_paths(target, rule)):
            # Every body on the rule's plain path; its odd paths get one body each.
            bodies_here = CLASSICS if number == 0 and method != "GET" else CLASSICS[2:3]
            for client, (body, content_type) in product(target.clients.values(), bodies_here):
                response = client.open(
                    path,
                    method=method,
                    data=body if method != "GET" else None,
                    content_type=content_type or None,
                    headers={"HX-Request": "true", "Accept-Language": "xx;q=abc"},
                )
                check_response(response, f"{method} {path}")
    assert target.snapshot() == before


def test_every_route_takes_hostile_values_from_everyone(target):
    """Each (rule, method), from each client (anonymous and every staff role), with each query
    parameter and form field set to a hostile value: the values take turns, so together the
    routes and clients meet every one of them."""
    listed = routes(target.app)
    before = target.snapshot()
    turn = 0
    for (_rule, method), rule in listed.items():
        path = classic_paths(target, rule)[0]
        for client in target.clients.values():
            value = HOSTILE_VALUES[turn % len(HOSTILE_VALUES)]
            turn += 1
            query = encoded([(name, value) for name in QUERY_NAMES])
            body = encoded([(name, value) for name in FORM_NAMES]) if method != "GET" else None
            response = client.open(
                f"{path}?{query}",
                method=method,
                data=body,
                content_type="application/x-www-form-urlencoded" if body else None,
            )
            check_response(response, f"{method} {path} with {value[:40]!r}")
    assert turn >= 2 * len(HOSTILE_VALUES)
    assert target.snapshot() == before


@pytest.mark.parametrize("value", EXTREME_DATES)
def test_every_page_takes_extreme_dates_from_staff(target, value):
    """Every GET route as an admin (who may see every staff page), each date parameter and every
    other one set to one extreme date (the staff area's filters, report periods, the hub's span).
    """
    query = encoded([(name, value) for name in QUERY_NAMES])
    before = target.snapshot()
    for (_rule, method), rule in routes(target.app).items():
        if method == "GET":
            path = classic_paths(target, rule)[0]
            check_response(target.admin.get(f"{path}?{query}"), f"GET {path}?{query[:80]}")
    assert target.snapshot() == before


@ROUTE_EXAMPLES
@given(data=st.data())
def test_hostile_requests_never_fail_and_never_change_data(target, data):
    rules = routes(target.app)
    key = data.draw(st.sampled_from(sorted(rules)), label="route")
    rule, method = rules[key], key[1]
    path = build_path(rule, path_values(data.draw, target, rule))
    if path is None:
        return
    query = data.draw(QUERIES, label="query")
    body, content_type, lie = data.draw(bodies(), label="body")
    headers = data.draw(HEADERS, label="headers")
    who = data.draw(st.sampled_from(sorted(target.clients)), label="as")
    client = target.clients[who]
    environ = {"CONTENT_LENGTH": lie} if lie is not None else {}
    before = target.snapshot()
    response = client.open(
        path + query,
        method=method,
        data=body if method != "GET" else None,
        content_type=content_type or None,
        headers=headers,
        environ_overrides=environ,
    )
    check_response(response, path)
    assert target.snapshot() == before, f"{method} {path} changed stored data"


RAW_PATHS = st.one_of(
    st.sampled_from(
        [
            b"/static/../kiosk/config.py",
            b"/static/..%2f..%2finstance%2fconfig.py",
            b"/static/%2e%2e/%2e%2e/instance/config.py",
            b"/static/....//....//etc/passwd",
            b"/de/\x00",
            b"/de/%00/",
            b"/de/visit/%00",
            b"/\xff\xfe/",
            b"/%c0%ae%c0%ae/",
            b"//review//",
            b"/review/..;/review/",
            b"/review/-1",
            b"/review/99999999999999999999999999",
            b"/de/thanks/not-a-uuid",
            b"/" + b"a" * 5000,
            b"/de/" + "ሰላም".encode() + b"/",
            b"/hub/%ff/",
            b"/api/v1/../../review/",
        ]
    ),
    st.binary(max_size=80).map(lambda raw: b"/" + raw),
)


@PATH_EXAMPLES
@given(raw=RAW_PATHS, method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
def test_hostile_paths_never_fail_and_never_leak_files(target, raw, method):
    before = target.snapshot()
    # As a WSGI server hands the path over: bytes as latin-1, query split off.
    path, _, query = raw.partition(b"?")
    response = target.visitor.open(
        "/",
        method=method,
        environ_overrides={
            "PATH_INFO": path.decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
        },
    )
    check_response(response, repr(raw))
    assert b"root:" not in response.get_data()
    assert target.snapshot() == before


def test_the_fuzzed_apps_hold_data_to_protect(target):
    """Not vacuous: there are submissions, answers and a session to keep unchanged."""
    snapshot = target.snapshot()
    assert {"submission", "answer", "user", "draft"} <= set(snapshot)
    with target.app.app_context(), db.connection_context():
        assert Submission.select().count() == 30
