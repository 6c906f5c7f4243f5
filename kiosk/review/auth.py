"""Staff accounts: argon2id passwords, throttled logins, revocable sessions, roles, audit log."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache, wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, redirect, request, session, url_for

from ..models import ROLES, AuditEvent, User, UserSession, utcnow
from .throttle import record_attempt

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return hasher.hash(password)


@cache
def dummy_hash() -> str:
    """A hash made once with `hasher`'s parameters: a login to an unknown or disabled account is
    verified against it, so every login costs the same one verification."""
    return hasher.hash(secrets.token_urlsafe(16))


def verifies(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_matches(user: User, password: str) -> bool:
    if not verifies(user.password_hash, password):
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


def attempt_login(name: str, password: str, address: str) -> User | None:
    """Check a login and record the attempt; the caller asks login_wait first.

    Known, unknown and disabled names cost the same one verification, so the time of the
    answer does not tell which accounts exist.
    """
    user = User.get_or_none(User.name == name)
    if user is not None and user.active:
        ok = password_matches(user, password)
    else:
        verifies(dummy_hash(), password)
        ok = False
    record_attempt(name, address, ok)
    return user if ok else None


def current_password_matches(user: User, password: str, address: str) -> bool:
    """The password change's check of the current password: a failure counts like a failed
    login, so a session left open is no way to guess the password."""
    ok = password_matches(user, password)
    if not ok:
        record_attempt(user.name, address, False)
    return ok


def set_own_password(user: User, password: str) -> None:
    """A new password chosen by its user: every other session of the account ends, this one
    goes on under a fresh token."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.save()
    revoke_sessions(user)
    start_session(user)


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
