"""Staff accounts: argon2id passwords, throttled logins, revocable sessions, roles, audit log."""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, redirect, request, session, url_for

from ..models import ROLES, AuditEvent, LoginAttempt, User, UserSession, utcnow

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FREE_FAILURES = 10
THROTTLE_MAX_DELAY = timedelta(minutes=15)


def hash_password(password: str) -> str:
    return hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        user.save()
    return True


def new_password() -> str:
    """A random password that is easy to type from a printout: 4 groups of 4 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def create_user(name: str, password: str, role: str, must_change: bool = False) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    return User.create(
        name=name,
        password_hash=hash_password(password),
        role=role,
        must_change_password=must_change,
    )


def login_wait(account: str, address: str) -> timedelta:
    """How long this account or address must wait before the next try (zero: go ahead).

    Ten failures in 15 minutes are free; each further one doubles the wait, up to 15 minutes.
    Failures older than the window no longer count, so no account is locked for good.
    """
    since = utcnow() - THROTTLE_WINDOW
    longest = timedelta(0)
    for clause in (LoginAttempt.account == account, LoginAttempt.address == address):
        failures = (
            LoginAttempt.select()
            .where(clause, LoginAttempt.at > since, ~LoginAttempt.succeeded)
            .order_by(LoginAttempt.at.desc())
        )
        count = failures.count()
        if count >= THROTTLE_FREE_FAILURES:
            delay = min(
                timedelta(seconds=2 ** (count - THROTTLE_FREE_FAILURES + 1)), THROTTLE_MAX_DELAY
            )
            longest = max(longest, failures.first().at + delay - utcnow())
    return max(longest, timedelta(0))


def attempt_login(name: str, password: str, address: str) -> User | None:
    """Check a login and record the attempt; the caller asks login_wait first."""
    user = User.get_or_none(User.name == name)
    ok = bool(user and user.active and password_matches(user, password))
    if not user:
        hasher.hash(password)  # answer as slowly for unknown names, so they cannot be probed
    LoginAttempt.create(account=name, address=address, succeeded=ok)
    return user if ok else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> None:
    """A fresh session for this login (never the one from before it), stored server-side."""
    session.clear()
    token = secrets.token_urlsafe(32)
    UserSession.create(token_hash=token_hash(token), user=user)
    session["staff"] = token


def revoke_sessions(user: User) -> None:
    """End every login of this user (account disabled or password reset)."""
    UserSession.update(revoked=True).where(UserSession.user == user).execute()


def end_session() -> None:
    token = session.get("staff")
    if token:
        UserSession.update(revoked=True).where(
            UserSession.token_hash == token_hash(token)
        ).execute()
    session.clear()


def load_user() -> User | None:
    """The logged-in user, if the session is known, not revoked, not idle and not too old."""
    token = session.get("staff")
    if not token:
        return None
    config = current_app.config
    now = utcnow()
    row = (
        UserSession.select(UserSession, User)
        .join(User)
        .where(
            UserSession.token_hash == token_hash(token),
            ~UserSession.revoked,
            UserSession.last_seen > now - timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            UserSession.created_at > now - timedelta(hours=config["STAFF_SESSION_HOURS"]),
            User.active,
        )
        .first()
    )
    if row is None:
        return None
    if now - row.last_seen > timedelta(seconds=30):  # not a write on every click
        UserSession.update(last_seen=now).where(UserSession.token_hash == row.token_hash).execute()
    return row.user


def current_user() -> User | None:
    if "user" not in g:
        g.user = load_user()
    return g.user


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if user.must_change_password and request.endpoint != "auth.password":
            return redirect(url_for("auth.password"))
        return view(*args, **kwargs)

    return wrapped


def role_required(role: str):
    """Only users with `role` or a higher one; others get 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user().may(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def audit(action: str, target: str = "", detail: str = "", user_name: str | None = None) -> None:
    """Record who did what; `detail` never holds a visitor's answers."""
    if user_name is None:
        user = g.get("user")
        user_name = user.name if user else "system"
    AuditEvent.create(user_name=user_name, action=action, target=target, detail=detail)


def audit_query(action: str | None = None):
    query = AuditEvent.select().order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return query.where(AuditEvent.action == action) if action else query


def audit_actions() -> list[str]:
    query = AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return [event.action for event in query]
