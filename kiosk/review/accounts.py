"""Staff accounts as admins keep them, in the browser and on the command line: add one with a
one-time password, change its role and the languages its holder speaks, disable and re-enable it,
issue a new one-time password. Every change is audited; each refusal says why, in German.

A one-time password is made like `kiosk init`'s (`new_password`), shown once and never stored in
clear; its account must choose its own password at the next login. Disabling an account or
issuing it a new password ends its sessions. The last active admin can be neither disabled nor
demoted, so the staff area never loses its last way to manage accounts.
"""

import dataclasses
from datetime import datetime

from peewee import fn

from ..extensions import db
from ..i18n import LANGUAGES, SOURCE_LANGUAGE
from ..models import ROLES, AuditEvent, User
from .auth import audit, create_user, hash_password, new_password, revoke_sessions

ROLE_NAMES = {"volunteer": "Ehrenamtliche*r", "coordinator": "Koordination", "admin": "Admin"}
MAX_NAME_LENGTH = 100  # as the login form accepts

LAST_ADMIN = (
    "Das ist das letzte aktive Admin-Konto. Bitte zuerst ein anderes Konto zum Admin machen,"
    " sonst kann niemand mehr Konten verwalten."
)


class AccountError(ValueError):
    """A change refused; the message is German and meant for the person who asked."""


@dataclasses.dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it."""

    user: User
    last_login: datetime | None

    @property
    def languages(self) -> list[str]:
        return [language_name(code) for code in self.user.speaks or []]


def spoken_choices() -> list[tuple[str, str]]:
    """(code, German name) of the visitor languages a Sprachpate may speak (German apart)."""
    return [
        (code, language.german_name)
        for code, language in LANGUAGES.items()
        if code != SOURCE_LANGUAGE
    ]


def language_name(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.german_name if language else code


def checked_languages(codes) -> list[str]:
    """The codes, stripped and without repeats, if each is a visitor language."""
    known = dict(spoken_choices())
    cleaned = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise AccountError(
            f"Unbekannte Sprache: {', '.join(unknown)}. Möglich sind: {', '.join(known)}."
        )
    return cleaned


def checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AccountError("Bitte einen Namen eingeben.")
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"Der Name ist zu lang (höchstens {MAX_NAME_LENGTH} Zeichen).")
    if any(not character.isprintable() for character in name):
        raise AccountError("Der Name darf keine Steuerzeichen enthalten.")
    taken = User.select().where(fn.LOWER(User.name) == name.lower()).exists()
    if taken:
        raise AccountError(f"Ein Konto „{name}“ gibt es schon.")
    return name


def checked_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle: {role}. Möglich sind: {', '.join(ROLES)}.")
    return role


def accounts() -> list[AccountRow]:
    """Every account by name, with its latest login from the audit log."""
    logins = dict(
        AuditEvent.select(AuditEvent.user_name, fn.MAX(AuditEvent.at))
        .where(AuditEvent.action == "login")
        .group_by(AuditEvent.user_name)
        .tuples()
    )
    users = User.select().order_by(User.name)
    return [AccountRow(user, as_datetime(logins.get(user.name))) for user in users]


def as_datetime(value) -> datetime | None:
    """MAX() of a date column comes back as text on SQLite."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def is_last_active_admin(user: User) -> bool:
    others = User.select().where(User.role == "admin", User.active, User.id != user.id)
    return user.role == "admin" and user.active and not others.exists()


def add_account(
    name: str, role: str, speaks, by: str | None = None, password: str | None = None
) -> tuple[User, str | None]:
    """A new account and its one-time password, to be changed at the first login; with
    `password` (typed at the server, checked by the caller) that one instead, and None."""
    with db.atomic():
        name, role = checked_name(name), checked_role(role)
        languages = checked_languages(speaks)
        one_time = new_password() if password is None else None
        user = create_user(name, password or one_time, role, must_change=one_time is not None)
        user.speaks = languages
        user.save()
        audit("user_added", name, described(role, languages), user_name=by)
    return user, one_time


def described(role: str, languages: list[str]) -> str:
    """The audit detail of a new account: "volunteer; ar, fa"."""
    return f"{role}; {', '.join(languages)}" if languages else role


def change_account(user: User, role: str, speaks, by: str | None = None) -> list[str]:
    """Set role and languages; what changed, in German (empty: nothing)."""
    role, languages = checked_role(role), checked_languages(speaks)
    changed = []
    with db.atomic():
        if role != user.role:
            if user.role == "admin" and is_last_active_admin(user):
                raise AccountError(LAST_ADMIN)
            audit("user_role", user.name, f"{user.role} → {role}", user_name=by)
            user.role = role
            changed.append("Rolle")
        if languages != list(user.speaks or []):
            audit("user_languages", user.name, ", ".join(languages), user_name=by)
            user.speaks = languages
            changed.append("Sprachen")
        user.save()
    return changed


def set_languages(user: User, speaks, by: str | None = None) -> list[str]:
    """Only the languages (the command line's `kiosk user speaks`)."""
    change_account(user, user.role, speaks, by)
    return list(user.speaks)


def disable_account(user: User, by: str | None = None) -> None:
    """Disable the account and end its sessions; never the last active admin."""
    if not user.active:
        return
    if is_last_active_admin(user):
        raise AccountError(LAST_ADMIN)
    with db.atomic():
        user.active = False
        user.save()
        revoke_sessions(user)
        audit("user_disabled", user.name, user_name=by)


def enable_account(user: User, by: str | None = None) -> None:
    if user.active:
        return
    with db.atomic():
        user.active = True
        user.save()
        audit("user_enabled", user.name, user_name=by)


def issue_one_time_password(user: User, by: str | None = None) -> str:
    """A new one-time password for the account; its sessions end, and it must choose its own
    password at the next login."""
    password = new_password()
    with db.atomic():
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.save()
        revoke_sessions(user)
        audit("one_time_password", user.name, user_name=by)
    return password


def set_password(user: User, password: str, by: str | None = None) -> None:
    """A password typed at the server for the account (`kiosk user password`); its sessions end."""
    with db.atomic():
        user.password_hash = hash_password(password)
        user.must_change_password = False
        user.save()
        revoke_sessions(user)
        audit("password_set", user.name, user_name=by)
