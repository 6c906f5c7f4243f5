"""Site tokens: made once and shown once; the hub keeps only their SHA-256, and can revoke them."""

import hashlib
import hmac
import re
import secrets

from ..models import HubSite, utcnow

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class TokenError(ValueError):
    """A site that cannot be added or revoked, with a message for the person who asked."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_site(slug: str, name: str) -> str:
    """Register a site and return its new token; only the token's hash is stored."""
    if not SLUG.fullmatch(slug):
        raise TokenError(
            f"Ungültiger Kurzname {slug!r}: Kleinbuchstaben, Ziffern und Bindestriche, "
            "wie SITE_SLUG im Treffpunkt."
        )
    if len(name) > 100:
        raise TokenError("Der Name ist zu lang (höchstens 100 Zeichen).")
    if HubSite.get_or_none(HubSite.slug == slug):
        raise TokenError(f"Den Treffpunkt {slug!r} gibt es schon.")
    token = secrets.token_urlsafe(32)
    HubSite.create(slug=slug, name=name or slug, token_hash=token_hash(token))
    return token


def revoke_site(slug: str) -> HubSite:
    """Refuse the site's token from now on; its reports stay."""
    site = HubSite.get_or_none(HubSite.slug == slug)
    if site is None:
        raise TokenError(f"Keinen Treffpunkt {slug!r} gefunden.")
    if site.revoked_at is None:
        site.revoked_at = utcnow()
        site.save()
    return site


def site_for_token(token: str) -> HubSite | None:
    """The active site this token belongs to, or None (unknown or revoked)."""
    if not token:
        return None
    wanted = token_hash(token)
    site = HubSite.get_or_none(HubSite.token_hash == wanted)
    # The lookup is by hash, so timing tells nothing about the token; compare once more in
    # constant time so a database collation can never make two different hashes match.
    if site is None or not hmac.compare_digest(site.token_hash, wanted):
        return None
    return None if site.revoked_at else site
