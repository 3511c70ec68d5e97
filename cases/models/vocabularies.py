"""The bodies a case involves and the controlled vocabulary of violations."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .base import (
    TimeStamped,
    Translated,
    Versioned,
    date_in_range,
    validate_event_date,
    validate_planned_date,
)


class ViolationTypeManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ViolationType(Versioned, Translated):
    # Unique in each language (the constraint below; cases/translation.py makes one per
    # language's column): a constraint rather than unique=True, which the history's copies
    # of the language columns would keep.
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = ViolationTypeManager()

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["name"]
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="violationtype_name_unique",
                violation_error_message=_("Another violation type already has this name."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class OrganisationKind(models.TextChoices):
    OBSERVATORY = "observatory", _("observatory")
    NGO = "ngo", _("non-governmental organisation")
    BAR = "bar", _("bar association")
    UN_MECHANISM = "un_mechanism", _("UN mechanism")
    INTERGOVERNMENTAL = "intergovernmental", _("intergovernmental body")
    MEDIA = "media", _("media")
    LAW_FIRM = "law_firm", _("law firm")
    COMPANY = "company", _("company")
    OTHER = "other", _("other")


class Organisation(Versioned, TimeStamped, Translated):
    """A non-state body: the observatory itself, partner NGOs, bars, UN mechanisms, media."""

    Kind = OrganisationKind

    # Unique in each language: see ViolationType.name.
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="organisation_name_unique",
                violation_error_message=_("Another organisation already has this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
                violation_error_message=_("Choose a kind of organisation from the list."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self):
        return self.acronym or self.name


class AuthorityKind(models.TextChoices):
    HEAD_OF_STATE = "head_of_state", _("head of state")
    GOVERNMENT = "government", _("government")
    MINISTRY = "ministry", _("ministry")
    PARLIAMENT = "parliament", _("parliament")
    COURT = "court", _("court")
    JUDGE = "judge", _("judge")
    PROSECUTOR = "prosecutor", _("prosecutor")
    POLICE = "police", _("police")
    SECURITY_SERVICE = "security_service", _("security service")
    EMBASSY = "embassy", _("embassy or permanent mission")
    OTHER = "other", _("other")


class Authority(Versioned, TimeStamped, Translated):
    """A state body or office holder that appeals are addressed to and recommendations target."""

    Kind = AuthorityKind

    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("The body, e.g. 'Ministry of Justice of Belgium'."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    office_holder = models.CharField(
        _("office holder"),
        max_length=200,
        blank=True,
        help_text=_("The person holding the office during the validity dates below."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    salutation = models.CharField(
        _("salutation"), max_length=100, blank=True, help_text=_("e.g. 'Dear Minister,'")
    )
    postal_address = models.TextField(_("postal address"), blank=True)
    languages = models.CharField(
        _("write in"),
        max_length=200,
        blank=True,
        help_text=_(
            "The languages in which to write to this authority, e.g. 'French, Dutch or "
            "English'. Shown to readers with the model letter."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, validators=[validate_event_date]
    )
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        validators=[validate_planned_date],
        help_text=_("Office holders change: close the old record and add a new one."),
    )

    # Registered by cases/translation.py, once the translation columns exist.
    history_options = {}

    class Meta:
        ordering = ["country", "name", "-valid_from"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AuthorityKind.values),
                name="authority_kind_valid",
                violation_error_message=_("Choose a kind of authority from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="authority_validity_ordered",
                violation_error_message=_("The end of validity cannot be before its start."),
            ),
            date_in_range("valid_from", "authority_valid_from_in_range"),
            date_in_range("valid_to", "authority_valid_to_in_range"),
        ]

    def __str__(self):
        name = self.name
        if self.office_holder:
            name = f"{name} — {self.office_holder}"
        return f"{name} ({self.country.code})" if self.country else name
