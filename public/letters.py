"""
What a reader who wants to act is given: a model letter built from an appeal's requested
actions, the salutation of each addressee and the reference code; a mailto: address that
carries it; and the report of what the reader did, counted without keeping anything that
could point back to them.
"""

import hashlib
import hmac
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.security import client_ip_address
from cases.models import ActionTally
from cases.multilingual import fallbacks, original_language

from .cache import invalidate_public_pages

# The longest letter a reader may send back to be turned into e-mail links and printed
# letters; mail programs refuse much longer mailto: addresses anyway.
LETTER_MAX_CHARS = 6000

# Reports of one reader (one network address) on one appeal, per hour.
REPORTS_PER_HOUR = 3


def letter_language(appeal, requested_actions, addressees=()):
    """
    The language of the model letter: the reader's, where the appeal, its requested actions
    and the salutations are all translated into it; otherwise the appeal's own. A letter is
    never half in one language and half in another.
    """
    reader = translation.get_language()
    records = [appeal, *requested_actions, *(a.authority for a in addressees)]
    if all(not fallbacks(record, reader) for record in records):
        return reader
    return original_language(appeal)


def subject(appeal):
    if appeal.reference_code:
        return f"{appeal.title} ({appeal.reference_code})"
    return appeal.title


def default_body(appeal, requested_actions):
    """The letter without its salutation: the same for every addressee, for the reader to edit."""
    reference = f" ({appeal.reference_code})" if appeal.reference_code else ""
    issued = ""
    if appeal.date:
        issued = " " + _("on %(date)s") % {"date": formats.date_format(appeal.date)}
    lines = [
        _(
            "I am writing to you about the appeal “%(title)s”%(reference)s, issued by "
            "%(issuer)s%(issued)s."
        )
        % {
            "title": appeal.title,
            "reference": reference,
            "issuer": appeal.issuer.name,
            "issued": issued,
        },
        "",
    ]
    if requested_actions:
        lines.append(_("I respectfully ask you to:"))
        lines += [f"{n}. {action.text}" for n, action in enumerate(requested_actions, 1)]
        lines.append("")
    lines += [_("Yours sincerely,"), "", _("[Your name]")]
    return "\n".join(lines)


def salutation(addressee):
    return addressee.authority.salutation or _("Dear Sir or Madam,")


def letter(addressee, body):
    return f"{salutation(addressee)}\n\n{body}"


def mailto(addressee, appeal, body):
    """A mailto: address (RFC 6068) with the subject and the letter, or '' without e-mail."""
    email = addressee.authority.email
    if not email:
        return ""
    text = letter(addressee, body).replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(email, safe='@')}?subject={quote(subject(appeal), safe='')}"
        f"&body={quote(text, safe='')}"
    )


def clean_body(text):
    """A letter sent back by a reader: normalised line ends, or None when it is unusable."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or len(text) > LETTER_MAX_CHARS or "\x00" in text:
        return None
    return text


def _client_address(request):
    """The reader's network address, read as the staff login's lockout reads it."""
    return client_ip_address(request) or ""


def _client_key(request, appeal):
    """
    A key for one reader and one appeal that holds no address: an HMAC of the network
    address and today's date under the secret key, kept only in the cache for an hour. The
    address itself is never stored or logged here.
    """
    day = timezone.localdate().isoformat()
    # Behind the proxy, the address the proxy saw (as for the staff login's lockout).
    message = f"{day}|{appeal.pk}|{_client_address(request) or ''}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"action-report:{digest}"


def allow_report(request, appeal):
    """
    False when this reader already reported REPORTS_PER_HOUR times on this appeal. A cache
    fault lets the report through: the counts are an indication, and the cache is never a
    dependency of the site.
    """
    key = _client_key(request, appeal)
    try:
        if cache.add(key, 1, timeout=3600):
            return True
        return cache.incr(key) <= REPORTS_PER_HOUR
    except Exception:  # noqa: BLE001 — any cache fault: count the report
        return True


def record_report(appeal, addressees):
    """Count one report on `appeal` and one letter to each of `addressees`."""
    with transaction.atomic():
        for addressee in [None, *addressees]:
            tally, _created = ActionTally.objects.get_or_create(appeal=appeal, addressee=addressee)
            # One UPDATE: two readers reporting at the same moment both count.
            ActionTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
        # update() sends no signal: the appeal page shows the total, so it is now stale.
        transaction.on_commit(invalidate_public_pages)
    invalidate_public_pages()
