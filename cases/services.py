"""
Workflows that touch several records. Views, admin actions and commands call these; each
runs in one transaction so that a failure leaves nothing half-done.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from . import disclosure, reference_codes
from .models import (
    Alert,
    Appeal,
    Case,
    Defender,
    Page,
    PublicationRequest,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    Source,
)

# --- The appeal workflow: draft → in review → published (→ withdrawn) ---------------------------


class WorkflowError(Exception):
    """A step the rules do not allow now; the message tells staff why and what to do."""


def _locked(model, obj):
    # Read the row again under a lock: two publishers pressing the button at the same moment
    # then run one after the other, and the second sees the first one's result.
    return model.objects.select_for_update().get(pk=obj.pk)


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied


def _as(obj, user, reason):
    obj._history_user = user
    obj._change_reason = Truncator(reason).chars(100)  # the history's column is that long
    return obj


def _record(user, obj, message):
    """
    A publication step in Django's "Recent actions" (the admin's log) too, named as the user
    may see the record: the history says what changed, the log who published what and when.
    """
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(disclosure.label(user, obj))[:200],
        action_flag=CHANGE,
        change_message=str(message),
    )


def publication_problems(appeal):
    """What stops `appeal` from being published, as sentences for staff; empty if nothing."""
    problems = []
    if not appeal.title.strip():
        problems.append(_("The appeal has no title."))
    if not appeal.body.strip():
        problems.append(_("The appeal has no text."))
    if appeal.kind == Appeal.Kind.URGENT_APPEAL:
        if not appeal.requested_actions.exists():
            problems.append(_("An urgent appeal needs at least one requested action."))
        if not appeal.addressees.exists():
            problems.append(_("An urgent appeal needs at least one addressee to write to."))
    if appeal.parent_id and appeal.parent.state == Appeal.State.WITHDRAWN:
        problems.append(
            _(
                "The original appeal of this chain was withdrawn: a follow-up cannot be "
                "published in its chain."
            )
        )
    elif appeal.parent_id and appeal.parent.state != Appeal.State.PUBLISHED:
        problems.append(_("The original appeal of this chain is not published yet."))
    if not appeal.case.is_published():
        problems.append(
            _("The case is not published, so the appeal would not be public: publish it first.")
        )
    return problems


@transaction.atomic
def submit_for_review(appeal, user):
    appeal = _locked(Appeal, appeal)
    _require(user, "cases.change_appeal")
    if appeal.state != Appeal.State.DRAFT:
        raise WorkflowError(_("Only a draft can be submitted for review."))
    appeal.state = Appeal.State.IN_REVIEW
    _as(appeal, user, _("Submitted for review")).save()
    return appeal


@transaction.atomic
def return_to_draft(appeal, user):
    """A reviewer sends the appeal back, or its author takes it back to change it."""
    appeal = _locked(Appeal, appeal)
    if appeal.state != Appeal.State.IN_REVIEW:
        raise WorkflowError(_("Only an appeal in review can go back to draft."))
    if user.pk != appeal.author_id and not user.has_perm("cases.publish_appeal"):
        raise PermissionDenied
    appeal.state = Appeal.State.DRAFT
    _as(appeal, user, _("Returned to draft")).save()
    return appeal


@transaction.atomic
def publish_appeal(appeal, user, *, version=None, today=None):
    """
    Publish an appeal in review, in one transaction: check the rules (DESIGN.md), assign the
    reference code, stamp the time and the publisher, create one pending recommendation per
    requested action, and add the appeal to the case timeline. Any failure undoes all of it.

    `version` is the version the publisher reviewed (the confirmation page carries it): four
    eyes means the published text is the reviewed one, so any other version is refused.
    """
    appeal = _locked(Appeal, appeal)
    _require(user, "cases.publish_appeal")
    if appeal.state != Appeal.State.IN_REVIEW:
        raise WorkflowError(_("Only an appeal in review can be published; submit it first."))
    if str(version) != str(appeal.version):
        raise WorkflowError(
            _(
                "The appeal changed after you opened the confirmation: nothing was published. "
                "Review it again."
            )
        )
    if appeal.author_id == user.pk:
        raise WorkflowError(
            _("You wrote this appeal: another publisher must review and publish it.")
        )
    problems = publication_problems(appeal)
    if problems:
        raise WorkflowError(" ".join(problems))

    today = today or timezone.localdate()
    appeal.date = appeal.date or today
    try:
        reference_codes.assign(appeal, on=appeal.date)
    except reference_codes.ReferenceCodeError as error:
        raise WorkflowError(str(error)) from error
    now = timezone.now()
    appeal.state = Appeal.State.PUBLISHED
    appeal.reviewer = user
    appeal.published_by = user
    appeal.published_at = now
    _as(appeal, user, _("Published")).save()
    _record(user, appeal, _("Published"))

    co_signers = list(appeal.co_signers.all())
    for action in appeal.requested_actions.all():
        recommendation = _as(
            Recommendation(
                case_id=appeal.case_id,
                text=action.text,
                target_state=action.target_state,
                target_authority=action.target_authority,
                issuer_id=appeal.issuer_id,
                issued_on=appeal.date,
                appeal=appeal,
                requested_action=action,
            ),
            user,
            _("Created on publication of the appeal"),
        )
        recommendation.save()
        recommendation.co_issuers.set(co_signers)

    title, description = publication_alert_text(
        issuer_short_name=appeal.issuer.short_name,
        issuer_name=appeal.issuer.name,
        reference_code=appeal.reference_code,
        kind=appeal.kind,
        title=appeal.title,
    )
    _as(
        Alert(
            case_id=appeal.case_id,
            date=appeal.date,
            kind=Alert.Kind.STATEMENT,
            title=title,
            description=description,
            verification=Alert.Verification.CONFIRMED,
            appeal=appeal,
            published_at=now,
        ),
        user,
        _("Added on publication of the appeal"),
    ).save()
    return appeal


def publication_alert_text(*, issuer_short_name, issuer_name, reference_code, kind, title):
    """
    The title and description of the timeline alert that announces a published appeal: the
    publishing service writes it, and so does the data generator for the appeals it makes.
    """
    kind_label = Appeal.Kind(kind).label
    alert_title = _("%(issuer)s publishes %(label)s: %(title)s") % {
        "issuer": issuer_short_name,
        "label": reference_code or kind_label,
        "title": title,
    }
    description = _("%(issuer)s published the %(kind)s “%(title)s”.") % {
        "issuer": issuer_name,
        "kind": kind_label,
        "title": title,
    }
    return Truncator(alert_title).chars(Alert._meta.get_field("title").max_length), description


@transaction.atomic
def withdraw_appeal(appeal, user, reason):
    """
    Take a published appeal off the public site. Its timeline entry goes with it, and the
    recommendations it made are closed with the reason, so nothing public points at it.
    """
    appeal = _locked(Appeal, appeal)
    _require(user, "cases.publish_appeal")
    if appeal.state != Appeal.State.PUBLISHED:
        raise WorkflowError(_("Only a published appeal can be withdrawn."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the appeal is withdrawn."))
    appeal.state = Appeal.State.WITHDRAWN
    appeal.withdrawn_at = timezone.now()
    appeal.withdrawal_reason = reason
    _as(appeal, user, _("Withdrawn")).save()
    _record(user, appeal, _("Withdrawn"))
    for alert in appeal.timeline_alerts.filter(published_at__isnull=False):
        alert.published_at = None
        _as(alert, user, _("The appeal was withdrawn")).save()
    for recommendation in appeal.recommendations.all():
        _as(
            RecommendationUpdate(
                recommendation=recommendation,
                date=timezone.localdate(),
                status=RecommendationStatus.CLOSED,
                description=_("The appeal that made this recommendation was withdrawn: %(r)s")
                % {"r": reason},
                recorded_by=user,
            ),
            user,
            _("The appeal was withdrawn"),
        ).save()
    return appeal


@transaction.atomic
def create_follow_up(appeal, user):
    """
    Start a draft follow-up in the chain of `appeal`, with the case, issuer, co-signers,
    addressees and violation types of the original.
    """
    _require(user, "cases.add_appeal")
    root = _locked(Appeal, appeal.root)
    if root.state == Appeal.State.WITHDRAWN:
        raise WorkflowError(
            _("“%(appeal)s” was withdrawn: its chain takes no new follow-up.") % {"appeal": root}
        )
    if root.state != Appeal.State.PUBLISHED:
        raise WorkflowError(
            _("Only a published appeal takes a follow-up: publish “%(appeal)s” first.")
            % {"appeal": root}
        )
    follow_up = _as(
        Appeal(
            case_id=root.case_id,
            kind=Appeal.Kind.FOLLOW_UP,
            parent=root,
            issuer_id=root.issuer_id,
            language=root.language,
            title=Truncator(_("New information: %(title)s") % {"title": root.title}).chars(
                Appeal._meta.get_field("title").max_length
            ),
            take_action_before=None,
            author=user,
        ),
        user,
        _("Follow-up of %(appeal)s") % {"appeal": root},
    )
    follow_up.save()
    follow_up.co_signers.set(root.co_signers.all())
    follow_up.violation_types.set(root.violation_types.all())
    for addressee in root.addressees.all():
        _as(
            follow_up.addressees.model(
                appeal=follow_up,
                authority_id=addressee.authority_id,
                role=addressee.role,
                position=addressee.position,
            ),
            user,
            _("Copied from the original appeal"),
        ).save()
    return follow_up


# --- Publication of every other kind of record ------------------------------------------------
#
# What the public sees of a record changes here only, behind a permission
# (cases/disclosure.py: PUBLICATION fields). Staff who may not publish mark a record ready for
# publication instead (request_publication), and the dashboard lists it for publishers.
# Publication cannot be scheduled: a record is public from the moment it is published.


@transaction.atomic
def request_publication(obj, user, *, what="record", note=""):
    """Mark `obj` (or a source's file) ready for publication; asking again changes nothing."""
    from django.contrib.contenttypes.models import ContentType

    _require(user, "cases.add_publicationrequest")
    request, _created = PublicationRequest.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        what=what,
        defaults={"requested_by": user, "note": Truncator(note).chars(500)},
    )
    return request


@transaction.atomic
def publish_alert(alert, user):
    alert = _locked(Alert, alert)
    _require(user, "cases.publish_alert")
    if alert.published_at is None:
        alert.published_at = timezone.now()
        _as(alert, user, _("Published")).save()
        _record(user, alert, _("Published"))
    PublicationRequest.objects.of(alert).delete()
    return alert


@transaction.atomic
def unpublish_alert(alert, user):
    alert = _locked(Alert, alert)
    _require(user, "cases.publish_alert")
    if alert.published_at is not None:
        alert.published_at = None
        _as(alert, user, _("Unpublished")).save()
        _record(user, alert, _("Unpublished"))
    return alert


@transaction.atomic
def publish_source(source, user):
    """The source may be listed and cited on public pages (its file stays as it was)."""
    source = _locked(Source, source)
    _require(user, "cases.publish_source")
    if not source.is_public:
        source.is_public = True
        _as(source, user, _("Made public")).save()
        _record(user, source, _("Made public"))
    PublicationRequest.objects.of(source).delete()
    return source


@transaction.atomic
def unpublish_source(source, user):
    """Private again, with its file: it leaves every public page at once."""
    source = _locked(Source, source)
    _require(user, "cases.publish_source")
    if source.is_public or source.file_is_public:
        source.is_public = source.file_is_public = False
        _as(source, user, _("Made private")).save()
        _record(user, source, _("Made private"))
    return source


@transaction.atomic
def publish_source_file(source, user):
    source = _locked(Source, source)
    _require(user, "cases.publish_source")
    if not source.file:
        raise WorkflowError(_("This source has no file to publish."))
    if not source.is_public:
        raise WorkflowError(_("Only the file of a public source can be public: publish it first."))
    if not source.file_is_public:
        source.file_is_public = True
        _as(source, user, _("File made public")).save()
        _record(user, source, _("File made public"))
    PublicationRequest.objects.of(source, "file").delete()
    return source


@transaction.atomic
def unpublish_source_file(source, user):
    source = _locked(Source, source)
    _require(user, "cases.publish_source")
    if source.file_is_public:
        source.file_is_public = False
        _as(source, user, _("File made private")).save()
        _record(user, source, _("File made private"))
    return source


@transaction.atomic
def publish_page(page, user):
    page = _locked(Page, page)
    _require(user, "cases.change_page")
    if page.published_at is None:
        page.published_at = timezone.now()
        _as(page, user, _("Published")).save()
        _record(user, page, _("Published"))
    return page


@transaction.atomic
def unpublish_page(page, user):
    page = _locked(Page, page)
    _require(user, "cases.change_page")
    if page.published_at is not None:
        page.published_at = None
        _as(page, user, _("Unpublished")).save()
        _record(user, page, _("Unpublished"))
    return page


@transaction.atomic
def protect_identity(defender, user, *, public_name, slug):
    """
    Hide a defender's real name behind a pseudonym and a new address: anyone who may change
    defenders may do it (it only ever shows less). The old address leaves every public page at
    once, and none leads to the new one.
    """
    defender = _locked(Defender, defender)
    _require(user, "cases.change_defender")
    if defender.identity_protected:
        raise WorkflowError(_("This defender's identity is already protected."))
    defender.identity_protected = True
    defender.public_name = public_name.strip()
    defender.slug = slug.strip()
    defender.full_clean()
    _as(defender, user, _("Identity protected")).save()
    _record(user, defender, _("Identity protected"))
    return defender


@transaction.atomic
def lift_protection(defender, user, *, reason):
    """
    Show a protected defender's real name again: only staff who may see it and may publish,
    with a reason kept in the history. The public name and address stay what they are until
    someone who may see the name changes them.
    """
    defender = _locked(Defender, defender)
    if not (user.has_perm("cases.view_confidential") and user.has_perm("cases.publish_case")):
        raise PermissionDenied
    if not defender.identity_protected:
        raise WorkflowError(_("This defender's identity is not protected."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the protection is lifted."))
    defender.identity_protected = False
    _as(defender, user, _("Protection lifted: %(reason)s") % {"reason": reason}).save()
    _record(user, defender, _("Protection lifted"))
    return defender


# --- Cases -------------------------------------------------------------------------------------


@transaction.atomic
def publish_case(case, user):
    case = _locked(Case, case)
    _require(user, "cases.publish_case")
    if case.published_at is None:
        case.published_at = timezone.now()
        _as(case, user, _("Published")).save()
        _record(user, case, _("Published"))
    PublicationRequest.objects.of(case).delete()
    return case


@transaction.atomic
def unpublish_case(case, user):
    """Take a case off the public site: its alerts, appeals and recommendations go with it."""
    case = _locked(Case, case)
    _require(user, "cases.publish_case")
    if case.published_at is not None:
        case.published_at = None
        _as(case, user, _("Unpublished")).save()
        _record(user, case, _("Unpublished"))
    return case


@transaction.atomic
def record_correction(appeal, user):
    """
    A published appeal was changed: readers see "updated on", and the history keeps what was
    changed and by whom.
    """
    appeal = _locked(Appeal, appeal)
    if appeal.state == Appeal.State.PUBLISHED:
        appeal.corrected_at = timezone.now()
        _as(appeal, user, _("Correction after publication")).save(
            update_fields=["corrected_at", "updated_at"]
        )
    return appeal


# --- Team work: assignment, follow-ups, closing (the bulk actions of the lists) ---------------


@transaction.atomic
def close_case(case, user, *, on, reason):
    """
    Close a followed case on `on`, saying why (shown publicly on a published case): a
    publisher's decision, as in the case's form. Every rule of the case holds (it cannot close
    before it opened).
    """
    case = _locked(Case, case)
    _require(user, "cases.publish_case")
    if case.status == Case.Status.CLOSED:
        raise WorkflowError(_("The case is already closed."))
    case.status = Case.Status.CLOSED
    case.closed_on = on
    case.closing_reason = reason.strip()
    case.full_clean()
    _as(case, user, _("Closed")).save()
    _record(user, case, _("Closed"))
    return case


@transaction.atomic
def assign_case(case, user, *, lead_officer):
    """Make `lead_officer` the case's lead officer (its collaborators stay)."""
    case = _locked(Case, case)
    _require(user, "cases.change_case")
    if case.lead_officer_id == lead_officer.pk:
        raise WorkflowError(_("Already led by %(who)s.") % {"who": lead_officer})
    case.lead_officer = lead_officer
    _as(case, user, _("Assigned to %(who)s") % {"who": lead_officer}).save()
    return case


@transaction.atomic
def set_follow_up(obj, user, *, on, note=""):
    """Set the follow-up date and note of a case or a recommendation (None clears them)."""
    model = type(obj)
    obj = _locked(model, obj)
    _require(user, f"cases.change_{model._meta.model_name}")
    obj.follow_up_on = on
    obj.follow_up_note = Truncator(note.strip()).chars(200) if on else ""
    _as(obj, user, _("Follow-up set") if on else _("Follow-up cleared")).save()
    return obj
