"""Login throttling: guessing is slowed per address and per account and address; an account under
attack is slowed for everyone else, never blocked, and its owner still gets in.

The throttle's clock is moved by the tests (`clock`), so no test sleeps.
"""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from kiosk.extensions import db
from kiosk.maintenance.retention import purge_expired
from kiosk.models import LoginAttempt, User
from kiosk.review import auth, throttle
from kiosk.review.throttle import ACCOUNT_SPACING, THROTTLE_MAX_DELAY, login_wait

from factories import FrozenClock, add_user
from server import FORM_TOKEN, LOGIN_PATH, PASSWORD

ATTACKER = "10.0.0.66"
OWNER = "10.0.0.2"


@pytest.fixture
def clock(monkeypatch):
    clock = FrozenClock()
    monkeypatch.setattr(throttle, "utcnow", clock)
    return clock


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    """Throttling is not about hashing: argon2id at its least cost keeps these tests quick."""
    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    dummy = quick.hash("dummy")
    monkeypatch.setattr(auth, "hasher", quick)
    monkeypatch.setattr(auth, "dummy_hash", lambda: dummy)


@pytest.fixture
def vera(app):
    return add_user(app, "vera", "volunteer")


class CountingHasher(PasswordHasher):
    """The same argon2id hasher, noting the hash of every verification."""

    def __init__(self):
        super().__init__()
        self.verified = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


def counted_verifications(monkeypatch) -> list[str]:
    """The hashes every login verifies from now on, in order."""
    hasher = CountingHasher()
    monkeypatch.setattr(auth, "hasher", hasher)
    return hasher.verified


def login(app, address, name, password=PASSWORD):
    """The login form sent from `address` by a browser of its own."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get(LOGIN_PATH, environ_base=environ).get_data(as_text=True)
    data = {"csrf_token": FORM_TOKEN.search(page).group(1), "name": name, "password": password}
    return client.post(LOGIN_PATH, data=data, environ_base=environ)


def failures(app, clock, account, addresses, each=1):
    """Record failed attempts at the clock's time, as many failed logins would have."""
    rows = [
        {"account": account, "address": address, "succeeded": False, "at": clock()}
        for address in addresses
        for _ in range(each)
    ]
    with app.app_context(), db.connection_context():
        LoginAttempt.insert_many(rows).execute()


def wait_of(app, account, address) -> timedelta:
    with app.app_context(), db.connection_context():
        return login_wait(account, address)


def test_ten_wrong_passwords_from_one_address_do_not_lock_the_owner_out(app, clock, vera):
    refused = 0
    while refused < 10:  # ten wrong passwords, each after the wait the attacker was told
        response = login(app, ATTACKER, "vera", "wrong")
        if response.status_code == 429:
            clock.advance(seconds=int(response.headers["Retry-After"]))
        else:
            assert response.status_code == 401
            refused += 1
    assert login(app, ATTACKER, "vera").status_code == 429  # even with the right password

    slowed = login(app, OWNER, "vera")
    assert slowed.status_code == 429
    assert "Bitte in 5 Sekunden noch einmal versuchen." in slowed.get_data(as_text=True)
    assert slowed.headers["Retry-After"] == "5"

    clock.advance(seconds=5)
    assert login(app, OWNER, "vera").status_code == 303
    assert login(app, ATTACKER, "vera").status_code == 429  # the guesser still waits


def test_an_account_under_a_distributed_attack_is_slowed_never_blocked(app, clock, vera):
    failures(app, clock, "vera", (f"203.0.113.{n}" for n in range(200)), each=3)
    assert login(app, "198.51.100.1", "vera", "wrong").status_code == 429
    assert wait_of(app, "vera", "198.51.100.1") == ACCOUNT_SPACING  # 600 failures: still 5 s

    clock.advance(seconds=5)
    assert login(app, "198.51.100.1", "vera", "wrong").status_code == 401  # one attempt ...
    assert login(app, "198.51.100.2", "vera", "wrong").status_code == 429  # ... per 5 seconds
    clock.advance(seconds=5)
    assert login(app, OWNER, "vera").status_code == 303


def test_an_address_the_owner_logged_in_from_is_not_slowed(app, clock, vera):
    clock.advance(days=-20)
    assert login(app, OWNER, "vera").status_code == 303
    clock.advance(days=20)
    failures(app, clock, "vera", (f"203.0.113.{n}" for n in range(50)))
    assert login(app, "198.51.100.1", "vera").status_code == 429
    assert login(app, OWNER, "vera").status_code == 303


def test_one_address_guessing_one_account_waits_there_only(app, clock, vera):
    add_user(app, "cora", "coordinator")
    for _ in range(5):
        assert login(app, ATTACKER, "vera", "wrong").status_code == 401
    assert login(app, ATTACKER, "vera").status_code == 429
    assert login(app, ATTACKER, "cora").status_code == 303  # other accounts from there
    assert login(app, OWNER, "vera").status_code == 303  # this account from elsewhere


def test_one_address_guessing_many_accounts_waits_for_all(app, clock, vera):
    for n in range(10):
        assert login(app, ATTACKER, f"guess{n}", "x").status_code == 401
    assert login(app, ATTACKER, "vera").status_code == 429
    assert login(app, OWNER, "vera").status_code == 303


def test_the_wait_doubles_up_to_a_limit_and_ends_with_the_window(app, clock):
    waits = []
    for _ in range(6):
        failures(app, clock, "vera", [ATTACKER])
        waits.append(wait_of(app, "vera", ATTACKER).total_seconds())
    assert waits == [0, 0, 0, 0, 2, 4]
    failures(app, clock, "vera", [ATTACKER], each=1000)  # no overflow, however many
    assert wait_of(app, "vera", ATTACKER) == THROTTLE_MAX_DELAY
    assert "Bitte in 15 Minuten noch einmal" in login(app, ATTACKER, "vera").get_data(as_text=True)
    clock.advance(minutes=15, seconds=1)
    assert wait_of(app, "vera", ATTACKER) == timedelta(0)


def test_a_success_forgives_the_mistypes_before_it(app, clock, vera):
    for _ in range(4):
        login(app, OWNER, "vera", "wrong")
    assert login(app, OWNER, "vera").status_code == 303
    for _ in range(4):
        assert login(app, OWNER, "vera", "wrong").status_code == 401
    assert login(app, OWNER, "vera").status_code == 303


def test_a_refused_attempt_is_not_recorded_so_asking_never_prolongs_the_wait(app, clock, vera):
    failures(app, clock, "vera", [ATTACKER], each=10)
    before = wait_of(app, "vera", ATTACKER)
    for _ in range(3):
        assert login(app, ATTACKER, "vera", "wrong").status_code == 429
    with app.app_context(), db.connection_context():
        assert LoginAttempt.select().count() == 10
    assert wait_of(app, "vera", ATTACKER) == before


def test_a_waiting_answer_is_the_same_for_every_name_and_verifies_nothing(
    app, clock, vera, monkeypatch
):
    add_user(app, "dora", "volunteer")
    with app.app_context(), db.connection_context():
        User.update(active=False).where(User.name == "dora").execute()
    verified = counted_verifications(monkeypatch)
    answers = set()
    for name in ("vera", "dora", "nobody"):
        failures(app, clock, name, [ATTACKER], each=10)
        response = login(app, ATTACKER, name)
        text = response.get_data(as_text=True)
        answers.add((response.status_code, response.headers["Retry-After"], "Bitte in" in text))
        clock.advance(minutes=16)
    assert answers == {(429, "64", True)}  # 2 s per address, 64 s per account and address
    assert verified == []


def test_the_purge_keeps_what_still_counts(app, clock):
    now = clock()
    kept = [(False, now - timedelta(minutes=14)), (True, now - timedelta(days=29))]
    gone = [(False, now - timedelta(minutes=16)), (True, now - timedelta(days=31))]
    with app.app_context(), db.connection_context():
        for succeeded, at in kept + gone:
            LoginAttempt.create(account="vera", address=OWNER, succeeded=succeeded, at=at)
        assert purge_expired(now)["login_attempts"] == 2
        remaining = LoginAttempt.select().order_by(LoginAttempt.at)
        assert [(a.succeeded, a.at) for a in remaining] == sorted(kept, key=lambda a: a[1])
