"""Login throttling: guessing is slowed down, and nobody can lock a person out of their account.

Failed attempts of the last THROTTLE_WINDOW count three ways; the longest wait wins:

- per address, whatever the account: ADDRESS_FREE_FAILURES are free, then each further one
  doubles the wait (2 s, 4 s, … up to THROTTLE_MAX_DELAY). An address that guesses is slowed.
- per account and address: PAIR_FREE_FAILURES since the pair's last success are free, then the
  same doubling. Guessing one account from one address is slowed sooner, and only there.
- per account, from any address: after ACCOUNT_FREE_FAILURES the account takes one attempt per
  ACCOUNT_SPACING — slowed, never blocked. A distributed attack gets a dozen guesses a minute,
  a fresh address waits a few seconds, and an address the account logged in from within
  KNOWN_ADDRESS_AGE is not slowed at all (the owner's own tablet or laptop).

A wait is answered at once ("bitte in N Sekunden"), never by sleeping in a server thread.
Refused attempts are not recorded, so asking during a wait never makes it longer. The counts go
by the name as typed, whether an account of that name exists or not, so a wait tells nothing
about which accounts exist. `stale_attempts` says which rows no longer count (for the purge).
"""

from datetime import datetime, timedelta

from peewee import fn

from ..clock import utcnow
from ..models import LoginAttempt

THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_DELAY = timedelta(minutes=15)
ADDRESS_FREE_FAILURES = 10
PAIR_FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = 10
ACCOUNT_SPACING = timedelta(seconds=5)
KNOWN_ADDRESS_AGE = timedelta(days=30)
# 2**20 seconds is far beyond THROTTLE_MAX_DELAY; a larger power would overflow timedelta.
LARGEST_DOUBLING = 20


def login_wait(account: str, address: str) -> timedelta:
    """How long `address` must wait before its next try at `account` (zero: go ahead)."""
    now = utcnow()
    since = now - THROTTLE_WINDOW
    known = last_success(account, address, now - KNOWN_ADDRESS_AGE)
    pair = (LoginAttempt.account == account, LoginAttempt.address == address)
    until = [
        doubling(failures(LoginAttempt.address == address, since=since), ADDRESS_FREE_FAILURES),
        doubling(failures(*pair, since=max(since, known or since)), PAIR_FREE_FAILURES),
        None if known else spaced(failures(LoginAttempt.account == account, since=since)),
    ]
    return max([timedelta(0), *(moment - now for moment in until if moment)])


def failures(*clauses, since: datetime) -> tuple[int, datetime | None]:
    """How many failed attempts match `clauses` after `since`, and when the latest was."""
    count, latest = (
        LoginAttempt.select(fn.COUNT(LoginAttempt.id), fn.MAX(LoginAttempt.at))
        .where(*clauses, LoginAttempt.at > since, ~LoginAttempt.succeeded)
        .tuples()
        .get()
    )
    return count, latest


def doubling(counted: tuple[int, datetime | None], free: int) -> datetime | None:
    """Until when the next try waits after `counted` failures of which `free` cost nothing."""
    count, latest = counted
    if count < free:
        return None
    seconds = 2 ** min(count - free + 1, LARGEST_DOUBLING)
    return latest + min(timedelta(seconds=seconds), THROTTLE_MAX_DELAY)


def spaced(counted: tuple[int, datetime | None]) -> datetime | None:
    """Until when an account under attack waits for its next attempt from anywhere."""
    count, latest = counted
    return latest + ACCOUNT_SPACING if count >= ACCOUNT_FREE_FAILURES else None


def last_success(account: str, address: str, since: datetime) -> datetime | None:
    """When `account` last logged in from `address` after `since`, if it did."""
    return (
        LoginAttempt.select(fn.MAX(LoginAttempt.at))
        .where(
            LoginAttempt.account == account,
            LoginAttempt.address == address,
            LoginAttempt.succeeded,
            LoginAttempt.at > since,
        )
        .scalar()
    )


def record_attempt(account: str, address: str, succeeded: bool) -> None:
    LoginAttempt.create(account=account, address=address, succeeded=succeeded, at=utcnow())


def stale_attempts(now: datetime):
    """The attempts that no longer count: failures past the window, successes past the age
    in which they make an address known."""
    return (~LoginAttempt.succeeded & (LoginAttempt.at < now - THROTTLE_WINDOW)) | (
        LoginAttempt.at < now - KNOWN_ADDRESS_AGE
    )
