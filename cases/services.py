"""
Workflows that touch several records. Views, admin actions and commands call these; each
runs in one transaction so that a failure leaves nothing half-done.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from .models import Appeal, Case

# "KAZ 001 / 0720 / OBS 086" or, for a follow-up, "KAZ 001 / 1016 / OBS 085.5".
# Spacing varies in print, so the pattern is lenient about it.
_CODE = re.compile(
    r"^(?P<state>[A-Z]{3})\s*(?P<case_number>\d{1,4})\s*/\s*(?P<month>\d{2})(?P<year>\d{2})"
    r"\s*/\s*(?P<prefix>[A-Z]+)\s*(?P<number>\d{1,4})(?:\.(?P<follow_up>\d{1,3}))?$"
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


def parse_reference_code(text):
    """The parts of a well-formed code, or None: real codes are not always consistent."""
    match = _CODE.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    return ReferenceCode(
        state=parts["state"],
        case_number=int(parts["case_number"]),
        month=int(parts["month"]),
        year=2000 + int(parts["year"]),
        prefix=parts["prefix"],
        number=int(parts["number"]),
        follow_up=int(parts["follow_up"]) if parts["follow_up"] else None,
    )


def accept_printed_reference_code(appeal, text):
    """
    Record the code of a historical appeal exactly as it was printed. When the code is one of
    ours and well formed, also record its running number, so that codes assigned later in the
    same year continue the sequence instead of colliding with it.
    """
    appeal.reference_code = text.strip()
    parsed = parse_reference_code(appeal.reference_code)
    if parsed and parsed.prefix == settings.OBSERVATORY_REFERENCE_PREFIX:
        if parsed.follow_up:
            appeal.follow_up_number = parsed.follow_up
        elif appeal.date:
            appeal.code_year = appeal.date.year
            appeal.code_number = parsed.number
    return appeal


class ReferenceCodeError(Exception):
    pass


@transaction.atomic
def assign_reference_code(appeal, on=None):
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
        appeal.follow_up_number = (last or 0) + 1
        appeal.reference_code = f"{root.reference_code}.{appeal.follow_up_number}"
        appeal.save(update_fields=["follow_up_number", "reference_code", "updated_at"])
        return appeal.reference_code

    # Lock the case: its number for the state is taken once, by the first coded appeal.
    case = Case.objects.select_for_update().get(pk=appeal.case_id)
    if case.country_number is None:
        last = Case.objects.filter(state_of_concern=case.state_of_concern).aggregate(
            n=Max("country_number")
        )["n"]
        case.country_number = (last or 0) + 1
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

    # The running number of the year. Two cases published at the same moment may read the
    # same maximum; the unique constraint on (code_year, code_number) then refuses the second,
    # and the whole publication rolls back rather than issue a duplicate.
    last = Appeal.objects.filter(parent__isnull=True, code_year=on.year).aggregate(
        n=Max("code_number")
    )["n"]
    appeal.code_year = on.year
    appeal.code_number = (last or 0) + 1
    appeal.reference_code = str(
        ReferenceCode(
            state=case.state_of_concern.alpha3,
            case_number=case.country_number,
            month=first.month,
            year=first.year,
            prefix=settings.OBSERVATORY_REFERENCE_PREFIX,
            number=appeal.code_number,
        )
    )
    appeal.save(update_fields=["code_year", "code_number", "reference_code", "updated_at"])
    return appeal.reference_code
