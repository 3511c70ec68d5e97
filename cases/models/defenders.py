"""The people and organisations whose rights the observatory defends."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .base import TimeStamped, Versioned


def name_words(text):
    """The words of a name or slug as an address would spell them: 'Żanna-Ó' → {'zanna'}."""
    return {word for word in slugify(text).split("-") if len(word) >= 3}


class DefenderQuerySet(models.QuerySet):
    def published(self):
        """Defenders named in at least one published case, under their public name only."""
        return self.filter(
            pk__in=CaseDefender.objects.filter(case__published_at__isnull=False).values(
                "defender_id"
            )
        )


class DefenderKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    ORGANISATION = "organisation", _("organisation")
    GROUP = "group", _("group")


class DefenderProfession(models.TextChoices):
    LAWYER = "lawyer", _("lawyer")
    JOURNALIST = "journalist", _("journalist")
    ACTIVIST = "activist", _("human-rights activist")
    TRADE_UNIONIST = "trade_unionist", _("trade unionist")
    ACADEMIC = "academic", _("academic")
    JUDGE = "judge", _("judge")
    HEALTH_WORKER = "health_worker", _("health worker")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("other")
    NONE = "", _("not a defender by profession")


class Defender(Versioned, TimeStamped):
    Kind = DefenderKind

    Profession = DefenderProfession

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_(
            "The real name. Internal when the identity is protected: the public sees the "
            "public name only."
        ),
    )
    public_name = models.CharField(
        _("public name"),
        max_length=200,
        help_text=_("Shown on the public site. For a protected defender, a pseudonym."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    identity_protected = models.BooleanField(
        _("identity protected"),
        default=False,
        help_text=_(
            "The real name, aliases and anything that identifies this defender never reach "
            "a public page."
        ),
    )
    profession = models.CharField(
        _("profession"), max_length=20, choices=Profession.choices, blank=True
    )
    nationality = CountryField(_("nationality"), blank=True)
    country_of_residence = CountryField(_("country of residence"), blank=True)
    protection_status = models.CharField(
        _("protection status"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 'Refugee in Belgium since 2013'. Shown publicly."),
    )
    # Bounded so that the search vector stays within PostgreSQL's 1 MB (cases/search.py).
    public_profile = models.TextField(
        _("public profile"),
        max_length=20_000,
        blank=True,
        help_text=_("Shown publicly on case pages."),
    )
    contact_details = models.TextField(
        _("contact details"), blank=True, help_text=_("Internal: never shown publicly.")
    )
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Internal: never shown publicly.")
    )

    objects = DefenderQuerySet.as_manager()

    history = HistoricalRecords()

    # Its identifier in the spreadsheet it was imported from (cases/transfer.py): importing the
    # same row again updates this record instead of adding another.
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["public_name"]
        verbose_name = _("defender")
        verbose_name_plural = _("defenders")
        indexes = [
            # The case list counts cases per defender's profession: the professions of the
            # listed cases' defenders are then read from the index, not from every row.
            models.Index(fields=["id", "profession"], name="defender_profession_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="defender_external_id_unique",
                violation_error_message=_("Another record was imported with this external id."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DefenderKind.values),
                name="defender_kind_valid",
                violation_error_message=_("Choose a kind of defender from the list."),
            ),
            models.CheckConstraint(
                condition=models.Q(profession__in=DefenderProfession.values),
                name="defender_profession_valid",
                violation_error_message=_("Choose a profession from the list."),
            ),
            # A protected defender must not be published under the real name.
            models.CheckConstraint(
                condition=models.Q(identity_protected=False)
                | ~models.Q(public_name=models.F("name")),
                name="defender_protected_has_pseudonym",
                violation_error_message=_(
                    "A protected defender needs a public name other than the real one."
                ),
            ),
        ]

    def __str__(self):
        if self.identity_protected:
            return f"{self.public_name} (protected)"
        return self.public_name

    def clean(self):
        super().clean()
        if not self.identity_protected:
            return
        if self.public_name == self.name:
            raise ValidationError(
                {
                    "public_name": _(
                        "A protected defender needs a public name other than the real one."
                    )
                }
            )
        # Nor may the pseudonym or the address carry a part of the real name or of a known
        # spelling of it. The message names no word: it must tell nothing of the real name.
        identifying = self.identifying_words()
        errors = {}
        for field in ("public_name", "slug"):
            if name_words(getattr(self, field)) & identifying:
                errors[field] = _(
                    "For a protected defender, this must not contain any part of the real name "
                    "or of its other spellings."
                )
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        """The public profile; a protected defender has none (its slug may carry the name)."""
        if self.identity_protected:
            return None
        return reverse("cases:defender_detail", args=[self.slug])

    def identifying_words(self):
        """The words (of three letters or more, without accents) of the real name and aliases."""
        names = [self.name]
        if self.pk is not None:
            names += self.aliases.values_list("name", flat=True)
        return set().union(*(name_words(name) for name in names))

    def is_published(self):
        return self.cases.filter(published_at__isnull=False).exists()


class AliasKind(models.TextChoices):
    SHORT_NAME = "short_name", _("short name")
    SPELLING = "spelling", _("other spelling or transliteration")
    MISSPELLING = "misspelling", _("misspelling in a source")
    FORMER_NAME = "former_name", _("former name")
    OTHER = "other", _("other")


class Alias(Versioned):
    """Another name or spelling of a defender, including the sources' misspellings."""

    Kind = AliasKind

    defender = models.ForeignKey(
        Defender, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("defender")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. where the spelling occurs.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["defender", "name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["defender", "name"],
                name="alias_unique_per_defender",
                violation_error_message=_("The defender already has this other name."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AliasKind.values),
                name="alias_kind_valid",
                violation_error_message=_("Choose a kind of name from the list."),
            ),
        ]

    def __str__(self):
        return self.name


class CaseDefenderRole(models.TextChoices):
    SUBJECT = "subject", _("subject")
    RELATIVE = "relative", _("relative")
    ASSOCIATE = "associate", _("associate")


class CaseDefender(Versioned):
    """A defender's part in a case."""

    Role = CaseDefenderRole

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="defender_links",
        verbose_name=_("case"),
    )
    defender = models.ForeignKey(
        Defender,
        on_delete=models.PROTECT,
        related_name="case_links",
        verbose_name=_("defender"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SUBJECT)
    description = models.CharField(
        _("relationship"),
        max_length=200,
        blank=True,
        help_text=_("Shown publicly, e.g. 'her brother, detained because of her'."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "position", "id"]
        verbose_name = _("defender in the case")
        verbose_name_plural = _("defenders in the case")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "defender"],
                name="casedefender_unique",
                violation_error_message=_("The defender is already in this case."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=CaseDefenderRole.values),
                name="casedefender_role_valid",
                violation_error_message=_("Choose the defender's role in the case from the list."),
            ),
        ]

    def __str__(self):
        return f"{self.defender} — {self.get_role_display()}"
