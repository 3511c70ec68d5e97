"""
Reference codes of appeals (DESIGN.md): parse, format, accept as printed, assign.

"KAZ 001 / 0720 / OBS 086": the ISO alpha-3 code of the state of concern, the case's number
for that state, the month and year of the case's first coded appeal, the observatory's prefix
and running number of the year; a follow-up adds ".n" to its chain's code. The rules of
numbering are the functions `next_number`, `chain_code` and `follow_up_code`: `assign` uses
them on the database, the data generator (ops/generator.py) on the numbers it keeps in memory.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max, Min, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Appeal, Case

# Spacing and case vary in print, so the pattern is lenient about both.
_CODE = re.compile(
    r"^(?P<state>[A-Z]{3})\s*(?P<case_number>\d{1,4})\s*/\s*(?P<month>\d{2})(?P<year>\d{2})"
    r"\s*/\s*(?P<prefix>[A-Z]+)\s*(?P<number>\d{1,4})(?:\.(?P<follow_up>\d{1,3}))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReferenceCode:
    state: str
    case_number: int
    month: int
    year: int
    prefix: str
    number: int
    follow_up: int | None = None

    def __str__(self):
        code = (
            f"{self.state} {self.case_number:03d} / {self.month:02d}{self.year % 100:02d} / "
            f"{self.prefix} {self.number:03d}"
        )
        return f"{code}.{self.follow_up}" if self.follow_up else code


class ReferenceCodeError(Exception):
    pass


# The key of the PostgreSQL advisory lock that numbering takes (any number no other part of the
# application uses): "OBSCODE" in ASCII.
NUMBERING_LOCK = 0x4F4253434F4445


def lock_numbering(using=DEFAULT_DB_ALIAS):
    """
    Hold the numbering lock until the current transaction ends. Whoever reads the last case
    number of a state or the last running number of a year to take the next one (publishing,
    or staff typing a historical code) holds it, so that two publications at the same moment
    cannot both read the same maximum: the second waits for the first to commit, then reads
    the number the first took. On SQLite, which lets one transaction write at a time, there is
    nothing to lock.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError(
            "lock_numbering() holds its lock until the transaction ends: call it in one."
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBERING_LOCK])


def parse(text):
    """The parts of a well-formed code, or None: real codes are not always consistent."""
    match = _CODE.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    return ReferenceCode(
        state=parts["state"].upper(),
        case_number=int(parts["case_number"]),
        month=int(parts["month"]),
        year=2000 + int(parts["year"]),
        prefix=parts["prefix"].upper(),
        number=int(parts["number"]),
        follow_up=int(parts["follow_up"]) if parts["follow_up"] else None,
    )


def next_number(last):
    """The number after `last` (None when there is none yet): case numbers, running numbers
    and follow-up numbers all count from 1."""
    return (last or 0) + 1


def chain_code(*, state, case_number, first_on, number, prefix=None):
    """The code of a chain's first appeal: `state` is the alpha-3 code of the state of concern,
    `first_on` the date of the case's first coded appeal, `number` the running number."""
    return str(
        ReferenceCode(
            state=state,
            case_number=case_number,
            month=first_on.month,
            year=first_on.year,
            prefix=prefix or settings.OBSERVATORY_REFERENCE_PREFIX,
            number=number,
        )
    )


def follow_up_code(root_code, follow_up_number):
    return f"{root_code}.{follow_up_number}"


def code_key(text):
    """
    What makes two codes the same code: "kaz 001/0720/obs 086" is "KAZ 001 / 0720 / OBS 086".
    The database compares them the same way (appeal_reference_code_unique).
    """
    return text.replace(" ", "").upper()


def _ours(parsed):
    return parsed is not None and parsed.prefix == settings.OBSERVATORY_REFERENCE_PREFIX.upper()


def accept_printed(appeal, text):
    """
    Record the code of a historical appeal exactly as it was printed. When the code is one of
    ours and well formed, also record its running number, so that codes assigned later in the
    same year continue the sequence instead of colliding with it. `printed_code_problems`
    says beforehand whether the code can be recorded.
    """
    appeal.reference_code = text.strip()
    parsed = parse(appeal.reference_code)
    if _ours(parsed):
        if parsed.follow_up:
            appeal.follow_up_number = parsed.follow_up
        elif appeal.date and not appeal.parent_id:
            appeal.code_year = appeal.date.year
            appeal.code_number = parsed.number
    return appeal


def printed_code_problems(appeal, text, *, date, parent):
    """
    Why the code `text` cannot be recorded for `appeal` (issued on `date`, in the chain of
    `parent`), as {field: sentence for staff}; empty when it can. Call it in the transaction
    that saves the appeal: it takes the numbering lock, so that no publication takes the same
    number between this check and the save.
    """
    text = text.strip()
    if not text:
        return {}
    lock_numbering()
    others = Appeal.objects.exclude(pk=appeal.pk)
    same = (
        others.exclude(reference_code="")
        .alias(key=Upper(Replace("reference_code", Value(" "), Value(""))))
        .filter(key=code_key(text))
        .first()
    )
    if same is not None:
        return {
            "reference_code": _("“%(code)s” is already the code of “%(appeal)s”.")
            % {"code": text, "appeal": same}
        }
    parsed = parse(text)
    if not _ours(parsed):
        return {}  # another organisation's reference, or an irregular one: kept as printed
    if parsed.follow_up:
        if parent is None:
            return {
                "reference_code": _(
                    "“%(code)s” is the code of a follow-up (.%(n)s): choose the kind "
                    "“follow-up” and its original appeal, or type the code without “.%(n)s”."
                )
                % {"code": text, "n": parsed.follow_up}
            }
        taken = others.filter(parent=parent, follow_up_number=parsed.follow_up).first()
        if taken is not None:
            return {
                "reference_code": _("Follow-up %(n)s of this chain is already “%(appeal)s”.")
                % {"n": parsed.follow_up, "appeal": taken}
            }
        return {}
    if parent is not None:
        return {}  # a follow-up printed without its suffix: kept as printed, not numbered
    if date is None:
        return {
            "date": _(
                "Give the date of issue with the code of a historical appeal: codes assigned "
                "later that year continue its running number."
            )
        }
    taken = others.filter(
        parent__isnull=True, code_year=date.year, code_number=parsed.number
    ).first()
    if taken is not None:
        return {
            "reference_code": _(
                "%(number)03d of %(year)s is already the running number of “%(appeal)s”: check "
                "the code as printed."
            )
            % {"number": parsed.number, "year": date.year, "appeal": taken}
        }
    return {}


@transaction.atomic
def assign(appeal, on=None):
    """
    Give a coded appeal (urgent appeal, follow-up, closing) its reference code as it is
    published on the date `on`. A code already present (typed for a historical appeal) is
    kept as it is. Saves the appeal and, for a case's first code, its number for the state.
    """
    on = on or timezone.localdate()
    if appeal.reference_code or appeal.kind not in Appeal.CODED_KINDS:
        return appeal.reference_code

    if appeal.parent_id:
        # Lock the original so two follow-ups published at once cannot take the same number.
        root = Appeal.objects.select_for_update().get(pk=appeal.parent_id)
        if not root.reference_code:
            raise ReferenceCodeError(
                "The original appeal of this chain has no reference code yet: publish it first."
            )
        last = root.follow_ups.exclude(pk=appeal.pk).aggregate(n=Max("follow_up_number"))["n"]
        appeal.follow_up_number = next_number(last)
        appeal.reference_code = follow_up_code(root.reference_code, appeal.follow_up_number)
        appeal.save(update_fields=["follow_up_number", "reference_code", "updated_at"])
        return appeal.reference_code

    # The numbering lock first, then the case: its number for the state is taken once, by the
    # first coded appeal. Every numbering path takes the locks in this order.
    lock_numbering()
    case = Case.objects.select_for_update().get(pk=appeal.case_id)
    if case.country_number is None:
        last = Case.objects.filter(state_of_concern=case.state_of_concern).aggregate(
            n=Max("country_number")
        )["n"]
        case.country_number = next_number(last)
        case.save(update_fields=["country_number", "updated_at"])

    # The month and year of the case's first coded appeal, or of this one if it is the first.
    first = (
        (
            Appeal.objects.filter(case=case, parent__isnull=True, date__isnull=False)
            .exclude(reference_code="")
            .exclude(pk=appeal.pk)
            .aggregate(first=Min("date"))["first"]
        )
        or on
    )

    # The running number of the year, read under the numbering lock: a publication at the same
    # moment waits, then reads this one's number. The unique constraint on (code_year,
    # code_number) stays as the last guard.
    last = Appeal.objects.filter(parent__isnull=True, code_year=on.year).aggregate(
        n=Max("code_number")
    )["n"]
    appeal.code_year = on.year
    appeal.code_number = next_number(last)
    appeal.reference_code = chain_code(
        state=case.state_of_concern.alpha3,
        case_number=case.country_number,
        first_on=first,
        number=appeal.code_number,
    )
    appeal.save(update_fields=["code_year", "code_number", "reference_code", "updated_at"])
    return appeal.reference_code
