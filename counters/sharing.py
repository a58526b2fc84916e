"""Share links: a read-only view of one counter for people without a login
(README: "Share links").

The token is 32 random bytes in the URL; the table keeps only its SHA-256, so a copy of
the database holds no working link, and a lookup by hash gives nothing away through its
timing. A revoked, altered or made-up token finds no link.
"""

import hashlib
import re
import secrets

from django.utils import timezone

from counters.models import Counter, ShareLink

# secrets.token_urlsafe(32) gives 43 characters of this alphabet; anything else is not a
# token and is refused without a query.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def assign_token(link: ShareLink) -> str:
    """Give `link` a new random token and return it: shown once, never stored."""
    token = secrets.token_urlsafe(32)
    link.token_hash = token_hash(token)
    return token


def create_link(counter: Counter, label: str = "") -> tuple[ShareLink, str]:
    """A new link to `counter`, and its token."""
    link = ShareLink(counter=counter, label=label)
    token = assign_token(link)
    link.save()
    return link, token


def active_link(token: str) -> ShareLink | None:
    """The link a token opens, with its counter; None when revoked or unknown."""
    if not TOKEN_RE.fullmatch(token):
        return None
    return (
        ShareLink.objects.select_related("counter")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def revoke(link: ShareLink) -> bool:
    """Stop a link working; False when it was revoked already."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    return True
