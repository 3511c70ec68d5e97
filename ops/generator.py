"""
A realistic observatory in bulk, for load tests and benchmarks (`manage.py generate_data`).

Rows are built as plain values and written with pre-allocated primary keys, so that a case,
its defenders, alerts, sources, citations, appeal chains and recommendations are all known
before anything is written: PostgreSQL receives them through COPY, SQLite through one
executemany per table. Everything is drawn from one seeded random generator, so the same seed
gives the same observatory.

History: the generator writes no history rows. A generated record has no first version to
revert to until someone changes it (its history then starts with that change) or until
`manage.py record_history_baseline` is run; doubling a million-row load for a baseline that
benchmarks never read is not worth it.
"""

import dataclasses
import datetime
import random
import unicodedata
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from cases import reference_codes
from cases.disclosure import TRANSLATED
from cases.models import (
    Addressee,
    Alert,
    Alias,
    Appeal,
    Authority,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Organisation,
    Recommendation,
    RecommendationUpdate,
    RequestedAction,
    Source,
    ViolationType,
)
from cases.models.base import natural_sort_date
from cases.services import publication_alert_text

# The published case whose timeline has exactly this many published alerts: the benchmark's
# "case page with 200 alerts". Its subject's name and misspellings are what the benchmark
# searches for.
BENCHMARK_CASE_SLUG = "benchmark-timeline-200-alerts"
BENCHMARK_ALERTS = 200
BENCHMARK_DEFENDER = ("Aigerim", "Nurtazina")
BENCHMARK_ALIASES = [
    ("Aigerim Nurtazinova", Alias.Kind.SPELLING, "Russian form of the surname"),
    ("Aygerim Nurtasina", Alias.Kind.MISSPELLING, "in a press article"),
]

# Dates run from the first cases to a fixed day, so that a seed gives the same data whatever
# day it is run.
FIRST_DAY = datetime.date(1995, 1, 1)
LAST_DAY = datetime.date(2026, 1, 31)

# Case numbers per state and running numbers per year are small integers in the database.
MAX_CASES = 500_000
MAX_ALERTS_PER_CASE = 500
CASES_PER_CHUNK = 1000

# States of concern with a few cities each, and how often they come up.
STATES = {
    "KZ": (["Almaty", "Astana", "Shymkent"], 6),
    "RU": (["Moscow", "Saint Petersburg", "Kazan"], 8),
    "BY": (["Minsk", "Grodno", "Brest"], 5),
    "AZ": (["Baku", "Ganja"], 4),
    "TR": (["Istanbul", "Ankara", "Diyarbakır"], 6),
    "IR": (["Tehran", "Isfahan", "Tabriz"], 5),
    "EG": (["Cairo", "Alexandria"], 5),
    "CN": (["Beijing", "Guangzhou", "Urumqi"], 6),
    "VN": (["Hanoi", "Ho Chi Minh City"], 3),
    "PH": (["Manila", "Davao"], 3),
    "CO": (["Bogotá", "Medellín", "Cali"], 4),
    "MX": (["Mexico City", "Oaxaca", "Chihuahua"], 4),
    "GT": (["Guatemala City"], 2),
    "HN": (["Tegucigalpa"], 2),
    "NI": (["Managua"], 2),
    "VE": (["Caracas", "Maracaibo"], 3),
    "BR": (["Brasília", "São Paulo", "Belém"], 3),
    "CD": (["Kinshasa", "Goma"], 3),
    "BI": (["Bujumbura"], 2),
    "ZW": (["Harare"], 2),
    "CM": (["Yaoundé", "Bamenda"], 2),
    "SA": (["Riyadh", "Jeddah"], 3),
    "AE": (["Abu Dhabi", "Dubai"], 2),
    "BH": (["Manama"], 2),
    "TN": (["Tunis", "Sfax"], 2),
    "DZ": (["Algiers", "Oran"], 2),
    "UZ": (["Tashkent", "Samarkand"], 3),
    "TJ": (["Dushanbe"], 2),
    "TM": (["Ashgabat"], 2),
    "KG": (["Bishkek", "Osh"], 2),
    "UA": (["Kyiv", "Kharkiv"], 2),
    "GE": (["Tbilisi"], 1),
    "IN": (["New Delhi", "Mumbai", "Srinagar"], 4),
    "PK": (["Islamabad", "Lahore"], 3),
    "BD": (["Dhaka"], 2),
    "MM": (["Yangon", "Mandalay"], 2),
    "TH": (["Bangkok"], 2),
    "KH": (["Phnom Penh"], 2),
    "HU": (["Budapest"], 1),
    "PL": (["Warsaw"], 1),
}
# Where defenders in exile live: the other states involved.
HOST_STATES = ["BE", "FR", "DE", "NL", "GB", "CH", "SE", "NO", "AT", "IT", "ES", "LT", "PL", "US"]

# fmt: off
FIRST_NAMES = [
    "Aigerim", "Botagoz", "Zhanna", "Yerlan", "Serik", "Dinara", "Iskander", "Mukhtar", "Alexei",
    "Natalia", "Yevgeny", "Svetlana", "Olga", "Dmitri", "Ales", "Maryia", "Ihar", "Leyla", "Arif",
    "Khadija", "Emin", "Selahattin", "Eren", "Nasrin", "Narges", "Mohammad", "Alaa", "Mahienour",
    "Hoda", "Zhang", "Li", "Ilham", "Nguyen", "Pham", "Maria", "Leila", "Jorge", "Lucía", "Berta",
    "Francisco", "Rosa", "Germain", "Floribert", "Pierre-Claver", "Jestina", "Loujain", "Ahmed",
    "Nabeel", "Abdulhadi", "Chawki", "Zhanar", "Nurlan", "Bakhrom", "Azimjon", "Gulshan", "Rustam",
    "Oleksandra", "Nika", "Sudha", "Khurram", "Rosaline", "Ma Thida", "Anon", "Theary", "Kem",
    "Andrzej", "Márta",
]
SURNAMES = [
    "Jardemalie", "Yerimbetov", "Ablyazov", "Mamay", "Zhovtis", "Kozlov", "Navalnaya",
    "Bialiatski", "Stefanovich", "Ismayilova", "Yunus", "Demirtaş", "Kavala", "Sotoudeh",
    "Mohammadi", "Abdel Fattah", "Abdel Fattah", "Jiang", "Tohti", "Quynh", "Ressa", "Cáceres",
    "Gutiérrez", "Ortega", "Mbonimpa", "Rukundo", "Mukwege", "Mukoko", "al-Hathloul", "Rajab",
    "al-Khawaja", "Mansoor", "Bouhaddou", "Khairullin", "Sultanbekov", "Abdurakhmanov", "Askarov",
    "Rakhimov", "Matviychuk", "Bharadwaj", "Parvez", "Ramos", "Htwe", "Nampa", "Rainsy", "Ley",
    "Nowak", "Kovács", "Tokayeva", "Zhakiyanov",
]
# Transliterations that sources mix up, applied to produce other spellings.
TRANSLITERATIONS = [
    ("zh", "j"), ("j", "zh"), ("kh", "h"), ("y", "i"), ("i", "y"), ("u", "ou"), ("ya", "ia"),
    ("yu", "iu"), ("ch", "tch"), ("sh", "ch"), ("e", "ye"), ("ts", "tz"), ("ş", "sh"), ("ı", "i"),
    ("á", "a"), ("é", "e"), ("ó", "o"),
]
ORGANISATIONS = [
    # name, acronym, kind, country
    ("International Observatory for Lawyers in Danger", "OIAD", "observatory", ""),
    ("Observatory for the Protection of Human Rights Defenders (FIDH–OMCT)",
     "FIDH–OMCT Observatory", "observatory", ""),
    ("Council of Bars and Law Societies of Europe", "CCBE", "bar", "BE"),
    ("UN Working Group on Arbitrary Detention", "WGAD", "un_mechanism", ""),
    ("UN Special Rapporteur on the situation of human rights defenders", "", "un_mechanism", ""),
    ("UN Special Rapporteur on the independence of judges and lawyers", "", "un_mechanism", ""),
    ("UN Committee against Torture", "CAT", "un_mechanism", ""),
    ("European Parliament", "EP", "intergovernmental", ""),
    ("Fair Trials", "", "ngo", ""),
    ("Norwegian Helsinki Committee", "NHC", "ngo", "NO"),
    ("Lawyers for Lawyers", "L4L", "ngo", "NL"),
    ("Front Line Defenders", "", "ngo", "IE"),
    ("Committee to Protect Journalists", "CPJ", "ngo", "US"),
    ("Brussels Bar", "", "bar", "BE"),
    ("Paris Bar", "", "bar", "FR"),
    ("Le Soir", "", "media", "BE"),
    ("Le Monde", "", "media", "FR"),
    ("The Guardian", "", "media", "GB"),
    ("Radio Free Europe", "RFE/RL", "media", "CZ"),
    ("Eurasianet", "", "media", "US"),
    ("Reuters", "", "media", "GB"),
    ("Agence France-Presse", "AFP", "media", "FR"),
    ("Deutsche Welle", "DW", "media", "DE"),
]
OBSERVATORY_NAME = ORGANISATIONS[0][0]
USERS = {
    "officers": ["generated-officer-1", "generated-officer-2", "generated-officer-3"],
    "publishers": ["generated-publisher-1", "generated-publisher-2"],
}
AUTHORITIES = [
    # kind, name, title, salutation
    ("head_of_state", "Office of the President of {country}", "President", "Your Excellency,"),
    ("ministry", "Ministry of Justice of {country}", "Minister of Justice", "Dear Minister,"),
    ("prosecutor", "Prosecutor General of {country}", "Prosecutor General", "Dear Sir or Madam,"),
    ("ministry", "Ministry of the Interior of {country}", "Minister of the Interior",
     "Dear Minister,"),
    ("court", "Supreme Court of {country}", "President of the Court", "Your Honour,"),
    ("embassy", "Permanent Mission of {country} to the United Nations in Geneva", "Ambassador",
     "Your Excellency,"),
]
PROFESSIONS = [
    ("lawyer", 40), ("journalist", 20), ("activist", 20), ("trade_unionist", 4), ("academic", 4),
    ("judge", 2), ("health_worker", 2), ("ngo", 3), ("other", 3), ("", 2),
]
ALERT_KINDS = [
    ("search", "Search of {name}'s home in {place}", 6),
    ("seizure", "Seizure of {name}'s files in {place}", 4),
    ("arrest", "{name} arrested in {place}", 8),
    ("detention", "{name} held in pre-trial detention", 6),
    ("hearing", "Hearing in the case against {name}", 10),
    ("verdict", "{name} sentenced by a court in {place}", 4),
    ("court_ruling", "Court rules on {name}'s appeal", 5),
    ("extradition_request", "{state} requests the extradition of {name}", 3),
    ("legal_assistance_request", "{state} sends a request for legal assistance", 3),
    ("complaint", "{name} files a complaint", 5),
    ("parliamentary_debate", "Parliament debates the case of {name}", 2),
    ("un_action", "UN experts raise the case of {name}", 4),
    ("release", "{name} released", 3),
    ("threat", "{name} receives threats", 8),
    ("surveillance", "{name} followed and watched in {place}", 5),
    ("kidnapping_attempt", "Attempt to abduct {name} in {place}", 1),
    ("protection_granted", "{name} granted protection", 2),
    ("statement", "Statement on the situation of {name}", 4),
    ("other", "New development in the case of {name}", 3),
]
DESCRIPTIONS = [
    "According to {publisher}, {name} was questioned for several hours without a lawyer.",
    "Officers of the security service searched the premises and took documents covered by "
    "professional secrecy.",
    "The hearing was closed to the public and to observers from the bar.",
    "Relatives of {name} report that they were summoned and warned about the case.",
    "The authorities have given no reason for the measure, which appears to be a reprisal for "
    "{name}'s work as a {profession}.",
    "Lawyers for {name} filed an appeal the same day.",
    "International observers were refused access to the courtroom in {place}.",
    "The measure follows a request for legal assistance sent by the authorities of {state}.",
    "{name} had denounced torture in detention and the misuse of legal cooperation.",
    "The observatory considers the proceedings a form of judicial harassment.",
]
SUMMARIES = [
    "{name}, a {profession} from {state}, is pursued by the authorities for defending "
    "victims of human-rights violations.",
    "{name} has been harassed, prosecuted and placed under surveillance since {year}.",
    "The case concerns the judicial harassment of {name} and of relatives who stayed in {state}.",
    "{name} lives in exile in {host} and remains the target of transnational repression.",
    "The observatory follows the proceedings against {name} and the reprisals against the family.",
]
REQUESTED_ACTIONS = [
    "Release {name} immediately and unconditionally.",
    "Guarantee in all circumstances the physical and psychological integrity of {name}.",
    "Put an end to all acts of harassment, including at the judicial level, against {name}.",
    "Open a prompt, thorough and impartial investigation into the search of {name}'s home.",
    "Refrain from using international legal cooperation to pursue {name}.",
    "Ensure that lawyers can carry out their professional duties without fear of reprisals.",
    "Return the documents seized, which are covered by professional secrecy.",
]
UPDATE_TEXTS = {
    "committed": "The government gave assurances that the request would be examined.",
    "partial": "Some of the measures asked for were taken; others are still awaited.",
    "implemented": "The authorities did what was asked, as confirmed by the defender.",
    "not_implemented": "The authorities rejected the request and continued the proceedings.",
    "closed": "The recommendation is moot after later developments in the case.",
    "pending": "A reminder was sent; no response has been received.",
}
SOURCE_TITLES = [
    "Concerns over the detention of {name}",
    "{name}: hearing postponed again",
    "Opinion concerning {name}",
    "Interview with {name}",
    "Observers denied access to the trial of {name}",
    "Report of the trial observation mission in {place}",
    "Letter of the bar on the situation of {name}",
]
# fmt: on


@dataclasses.dataclass(frozen=True)
class Summary:
    """How many records of each model a run created."""

    counts: list

    def __str__(self):
        return ", ".join(f"{n} {model._meta.verbose_name_plural}" for model, n in self.counts)


class RowWriter:
    """
    Writes rows (dicts of attribute names) with primary keys taken in advance, so that related
    rows can point at each other before anything is written. Fields a row leaves out get the
    model's default; `created` and `last changed` timestamps get the time of the run.
    """

    def __init__(self, now):
        self.now = now
        self.rows = defaultdict(list)
        self.counts = defaultdict(int)
        self._ids = defaultdict(list)
        self._next_sqlite_id = {}
        self.postgresql = connection.vendor == "postgresql"

    def new_id(self, model):
        pool = self._ids[model]
        if not pool:
            pool.extend(self._allocate(model, 5000))
            pool.reverse()
        return pool.pop()

    def _allocate(self, model, n):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgresql:
                # Taken from the table's own sequence: safe beside anyone else writing.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                return [row[0] for row in cursor.fetchall()]
            if model not in self._next_sqlite_id:
                # SQLite writes one transaction at a time: nobody else takes ids meanwhile.
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}"  # noqa: S608 # nosec B608
                )
                self._next_sqlite_id[model] = cursor.fetchone()[0] + 1
        start = self._next_sqlite_id[model]
        self._next_sqlite_id[model] = start + n
        return list(range(start, start + n))

    def add(self, model, **values):
        return self.add_row(model, values)

    def add_row(self, model, row):
        """Keep `row` (a dict the caller may still change until the flush); return its id."""
        if "id" not in row:
            row["id"] = self.new_id(model)
        self.rows[model].append(row)
        return row["id"]

    def flush(self, order):
        """Write what was added, table by table in `order`, and forget it."""
        for model in order:
            rows = self.rows.pop(model, [])
            if rows:
                self._write(model, rows)
                self.counts[model] += len(rows)
        assert not self.rows, f"rows of {list(self.rows)} were not written"

    def _write(self, model, rows):
        fields = model._meta.concrete_fields
        defaults = {}
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                defaults[field.attname] = self.now
            elif hasattr(field, "translated_field"):
                # A language's column of a translated text: empty as a form leaves it.
                defaults[field.attname] = field.empty_value
            else:
                defaults[field.attname] = field.get_default()
        # The generated texts are English originals: in the English column too, as a save
        # would write them (cases/multilingual.py).
        for name in TRANSLATED.get(model, ()):
            for row in rows:
                if name in row:
                    row.setdefault(f"{name}_{settings.LANGUAGE_CODE}", row[name])
        # Table and column names come from the models (quoted), values are parameters: the
        # SQL below is reviewed (ruff S608, bandit B608).
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if self.postgresql:
                # COPY takes the values as they are, but a JSON column's (a translation
                # state: a dict) only as the database adapts it.
                json = {f.attname for f in fields if isinstance(f, models.JSONField)}
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        values = []
                        for f in fields:
                            value = row.get(f.attname, defaults[f.attname])
                            if f.attname in json:
                                value = f.get_db_prep_save(value, connection)
                            values.append(value)
                        copy.write_row(values)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 # nosec B608
                    [
                        [
                            f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection)
                            for f in fields
                        ]
                        for row in rows
                    ],
                )


# Parents before children, so that every row a foreign key points at is already there.
WRITE_ORDER = [
    Defender,
    Alias,
    Source,
    Case,
    Case.violation_types.through,
    Case.related_cases.through,
    CaseDefender,
    Appeal,
    Appeal.co_signers.through,
    Appeal.violation_types.through,
    RequestedAction,
    Addressee,
    Alert,
    Alert.authorities.through,
    Alert.defenders.through,
    Recommendation,
    Recommendation.co_issuers.through,
    RecommendationUpdate,
    Citation,
]
REPORTED_MODELS = [
    Case,
    Defender,
    Alias,
    Alert,
    Source,
    Citation,
    Appeal,
    RequestedAction,
    Addressee,
    Recommendation,
    RecommendationUpdate,
]


def _profession(value):
    return value.replace("_", " ") or "human-rights defender"


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class Generator:
    def __init__(self, *, cases, alerts_per_case=10, seed=0, progress=None):
        self.total = cases
        self.alerts_per_case = alerts_per_case
        self.rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        self.progress = progress
        self.writer = RowWriter(timezone.now())

    # --- Reference data, shared by every generated case ------------------------------------

    def _reference_data(self):
        call_command("loaddata", "vocabularies", verbosity=0)
        self.violation_types = list(
            ViolationType.objects.order_by("slug").values_list("pk", flat=True)
        )
        self.organisations = {}
        for name, acronym, kind, country in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"acronym": acronym, "kind": kind, "country": country}
            )
            self.organisations[name] = organisation
        self.observatory = self.organisations[OBSERVATORY_NAME].pk
        by_kind = defaultdict(list)
        for organisation in self.organisations.values():
            by_kind[organisation.kind].append(organisation.pk)
        self.co_signers = by_kind["ngo"] + by_kind["bar"]
        self.un_mechanisms = by_kind["un_mechanism"]
        self.publishers = by_kind["media"] + by_kind["ngo"] + by_kind["un_mechanism"]
        self.publisher_names = {o.pk: o.short_name for o in self.organisations.values()}
        self.organisation_names = {o.pk: o.name for o in self.organisations.values()}

        User = get_user_model()
        self.users = {}
        for group, usernames in USERS.items():
            self.users[group] = []
            for username in usernames:
                user, created = User.objects.get_or_create(
                    username=username, defaults={"is_staff": True}
                )
                if created:
                    user.set_unusable_password()  # generated staff never log in
                    user.save(update_fields=["password"])
                self.users[group].append(user.pk)

        # One set of authorities per state, made for this run.
        self.authorities = {}
        for code in sorted({*STATES, *HOST_STATES}):
            name = countries.name(code)
            self.authorities[code] = [
                Authority.objects.create(
                    kind=kind,
                    name=template.format(country=name),
                    country=code,
                    title=title,
                    salutation=salutation,
                    postal_address=f"{template.format(country=name)}\n{self._capital(code)}",
                    email=f"{kind}@gov.{code.lower()}.example",
                    valid_from=datetime.date(2000, 1, 1),
                ).pk
                for kind, template, title, salutation in AUTHORITIES
            ]

        # Numbers already taken, so that generated codes continue them without a collision.
        self.country_numbers = dict(
            Case.objects.filter(country_number__isnull=False)
            .values_list("state_of_concern")
            .annotate(n=models.Max("country_number"))
        )
        self.running_numbers = dict(
            Appeal.objects.filter(parent__isnull=True, code_number__isnull=False)
            .values_list("code_year")
            .annotate(n=models.Max("code_number"))
        )
        self.codes = set(
            Appeal.objects.exclude(reference_code="").values_list("reference_code", flat=True)
        )
        self.states = list(STATES)
        self.state_weights = [weight for _, weight in STATES.values()]

    @staticmethod
    def _capital(code):
        return STATES[code][0][0] if code in STATES else countries.name(code)

    # --- Drawing values --------------------------------------------------------------------

    def _date_between(self, start, end):
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _partial_date(self, start, end):
        day = self._date_between(start, end)
        roll = self.rng.random()
        if roll < 0.85:
            return {"date": day, "date_precision": "day"}
        if roll < 0.95:
            return {"date": day.replace(day=1), "date_precision": "month"}
        return {
            "date": day.replace(month=1, day=1),
            "date_precision": "year",
            "date_qualifier": self.rng.choice(["", "about", "before", "after"]),
        }

    def _moment(self, day, hours=0):
        """A publication time on `day` (or a few days after it)."""
        stamp = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
        return stamp + datetime.timedelta(hours=hours or self.rng.randint(0, 24 * 6))

    def _weighted(self, pairs):
        values = [pair[0] for pair in pairs]
        weights = [pair[-1] for pair in pairs]
        return self.rng.choices(values, weights)[0]

    def _other_spellings(self, full_name):
        """Transliterations and source misspellings of a name, never the name itself."""
        spellings = []
        lower = full_name.lower()
        for old, new in self.rng.sample(TRANSLITERATIONS, len(TRANSLITERATIONS)):
            if old in lower:
                index = lower.index(old)
                spelled = full_name[:index] + new + full_name[index + len(old) :]
                spellings.append((spelled.title(), Alias.Kind.SPELLING, "transliteration"))
                break
        letters = list(full_name)
        position = self.rng.randrange(1, len(letters) - 2)
        if letters[position].isalpha() and letters[position + 1].isalpha():
            letters[position], letters[position + 1] = letters[position + 1], letters[position]
        else:
            del letters[position]
        spellings.append(
            (
                "".join(letters),
                Alias.Kind.MISSPELLING,
                self.rng.choice(["in a press article", "in a court document", "in a UN document"]),
            )
        )
        if _ascii(full_name) != full_name:
            spellings.append((_ascii(full_name), Alias.Kind.SPELLING, "without accents"))
        seen = {full_name}
        unique = []
        for name, kind, note in spellings:
            if name not in seen:
                seen.add(name)
                unique.append((name, kind, note))
        return unique

    # --- One case and everything in it ----------------------------------------------------

    def _defender(self, index, state, *, first=None, last=None, protected=False, aliases=None):
        first = first or self.rng.choice(FIRST_NAMES)
        last = last or self.rng.choice(SURNAMES)
        name = f"{first} {last}"
        profession = self._weighted(PROFESSIONS)
        if protected:
            # A pseudonym that does not derive from the real name, and a slug without it.
            label = (profession or "defender").replace("_", " ").capitalize()
            public_name = f"{label} {chr(65 + self.rng.randrange(26))}."
            slug = f"protected-defender-{index}"
        else:
            public_name = name
            slug = f"{slugify(_ascii(name))}-{index}"
        exile = self.rng.random() < 0.3
        defender = self.writer.add(
            Defender,
            kind="individual",
            name=name,
            public_name=public_name,
            slug=slug,
            identity_protected=protected,
            profession=profession,
            nationality=state,
            country_of_residence=self.rng.choice(HOST_STATES) if exile else state,
            protection_status="Refugee status granted" if exile else "",
            public_profile=f"{public_name} is a {_profession(profession)}.",
            contact_details=f"Internal contact for {name}: +00 000 {index}",
            internal_notes="Internal: reached through the bar." if self.rng.random() < 0.2 else "",
        )
        for alias_name, kind, note in (
            aliases or self._other_spellings(name)[: self.rng.randint(1, 3)]
        ):
            self.writer.add(Alias, defender_id=defender, name=alias_name, kind=kind, note=note)
        return defender, name, public_name, profession

    def _case(self, index, *, benchmark=False):
        rng = self.rng
        state = rng.choices(self.states, self.state_weights)[0]
        place = rng.choice(STATES[state][0])
        opened_on = self._date_between(FIRST_DAY, LAST_DAY - datetime.timedelta(days=60))
        published = benchmark or rng.random() < 0.85
        status = (
            "open"
            if benchmark
            else self._weighted([("open", 65), ("monitoring", 20), ("closed", 15)])
        )
        closed_on = self._date_between(opened_on, LAST_DAY) if status == "closed" else None
        hosts = (
            sorted(set(rng.sample(HOST_STATES, rng.randint(1, 2)))) if rng.random() < 0.3 else []
        )

        protected = not benchmark and rng.random() < 0.04
        if benchmark:
            subject = self._defender(
                index,
                state,
                first=BENCHMARK_DEFENDER[0],
                last=BENCHMARK_DEFENDER[1],
                aliases=BENCHMARK_ALIASES,
            )
        else:
            subject = self._defender(index, state, protected=protected)
        defender_id, real_name, public_name, profession = subject
        title = public_name if rng.random() < 0.8 else f"{public_name} and others"
        slug = BENCHMARK_CASE_SLUG if benchmark else f"{slugify(_ascii(title))}-{index}"
        words = {
            "name": public_name,
            "profession": _profession(profession),
            "state": countries.name(state),
            "host": countries.name(hosts[0]) if hosts else "Belgium",
            "year": opened_on.year,
            "place": place,
        }
        case = self.writer.add(
            Case,
            title=title,
            slug=slug,
            summary=" ".join(text.format(**words) for text in rng.sample(SUMMARIES, 2)),
            state_of_concern=state,
            other_states=",".join(hosts),
            status=status,
            opened_on=opened_on,
            closed_on=closed_on,
            closing_reason="The defender was released and the proceedings dropped."
            if closed_on
            else "",
            published_at=self._moment(opened_on) if published else None,
            lead_officer_id=rng.choice(self.users["officers"]),
            risk_level=rng.choice(["", "low", "medium", "high", "critical"]),
            internal_notes=f"Internal: source inside the prosecutor's office for case {index}."
            if rng.random() < 0.1
            else "",
        )
        violations = rng.sample(self.violation_types, rng.randint(1, 3))
        for violation in violations:
            self.writer.add(Case.violation_types.through, case_id=case, violationtype_id=violation)
        self.writer.add(
            CaseDefender, case_id=case, defender_id=defender_id, role="subject", position=0
        )
        affected = [defender_id]
        for position in range(1, rng.choice([1, 1, 1, 2, 3])):
            relative = self._defender(f"{index}-{position}", state)
            role = rng.choice(["relative", "associate"])
            self.writer.add(
                CaseDefender,
                case_id=case,
                defender_id=relative[0],
                role=role,
                position=position,
                description="her brother, detained because of her"
                if role == "relative"
                else "a colleague",
            )
            affected.append(relative[0])
        if self._previous_case and self._previous_case[1] == state and rng.random() < 0.3:
            # Related cases, both ways: the relation is symmetrical.
            self.writer.add(
                Case.related_cases.through, from_case_id=case, to_case_id=self._previous_case[0]
            )
            self.writer.add(
                Case.related_cases.through, from_case_id=self._previous_case[0], to_case_id=case
            )
        self._previous_case = (case, state)

        end = closed_on or LAST_DAY
        sources = []
        for _ in range(rng.randint(2, 5)):
            publisher = rng.choice(self.publishers)
            kind = rng.choice(
                [
                    "ngo_statement",
                    "press_article",
                    "press_article",
                    "court_decision",
                    "un_document",
                    "testimony",
                ]
            )
            public = kind != "testimony" and rng.random() < 0.9
            day = self._partial_date(opened_on, end)
            sources.append(
                self.writer.add(
                    Source,
                    kind=kind,
                    title=rng.choice(SOURCE_TITLES).format(**words),
                    publisher_id=None if kind == "testimony" else publisher,
                    author=""
                    if rng.random() < 0.5
                    else f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                    language=rng.choice(["en", "en", "fr", "ru", "es"]),
                    url=""
                    if kind == "testimony"
                    else f"https://sources.example/{index}/{len(sources)}",
                    is_public=public,
                    file_is_public=False,
                    reliability=rng.choice(["", "high", "medium", "low"]),
                    internal_notes="" if public else "Internal: the witness asked not to be named.",
                    **day,
                )
            )
            words.setdefault("publisher", self.publisher_names[publisher])

        appeals = self._appeals(
            case, state, opened_on, end, published, violations, words, benchmark=benchmark
        )

        # The timeline: the alerts logged by staff, then one per appeal publication.
        if benchmark:
            logged = BENCHMARK_ALERTS - sum(1 for a in appeals if a["state"] == "published")
        else:
            logged = (
                rng.randint(
                    max(1, self.alerts_per_case // 2), max(1, self.alerts_per_case * 3 // 2)
                )
                - 1
            )
        for _ in range(logged):
            visible = published and (benchmark or rng.random() < 0.92)
            self._alert(case, state, opened_on, end, visible, sources, affected, words)
        if benchmark:
            for _ in range(5):  # drafts, which the public page must leave out
                self._alert(case, state, opened_on, end, False, sources, affected, words)
        for appeal in appeals:
            if appeal["state"] in ("published", "withdrawn"):
                title, description = publication_alert_text(
                    issuer_short_name=self.publisher_names[appeal["issuer_id"]],
                    issuer_name=self.organisation_names[appeal["issuer_id"]],
                    reference_code=appeal["reference_code"],
                    kind=appeal["kind"],
                    title=appeal["title"],
                )
                self.writer.add(
                    Alert,
                    case_id=case,
                    date=appeal["date"],
                    kind="statement",
                    title=title,
                    description=description,
                    verification="confirmed",
                    appeal_id=appeal["id"],
                    sort_date=appeal["date"],
                    # A withdrawn appeal's timeline entry leaves the public site with it.
                    published_at=appeal["published_at"] if appeal["state"] == "published" else None,
                )
        self._recommendations(case, state, appeals, end, sources, words)

    def _alert(self, case, state, opened_on, end, visible, sources, affected, words):
        rng = self.rng
        kind, template, _ = ALERT_KINDS[
            rng.choices(range(len(ALERT_KINDS)), [k[2] for k in ALERT_KINDS])[0]
        ]
        day = self._partial_date(opened_on, end)
        disputed = rng.random() < 0.05
        alert = self.writer.add(
            Alert,
            case_id=case,
            kind=kind,
            title=template.format(**words)[:200],
            description=" ".join(
                text.format(**words) for text in rng.sample(DESCRIPTIONS, rng.randint(1, 3))
            ),
            country=state if rng.random() < 0.8 else rng.choice(HOST_STATES),
            place=words["place"],
            verification=rng.choice(["reported", "reported", "corroborated", "confirmed"]),
            disputed=disputed,
            dispute_note="The sources disagree on the date and on who was present."
            if disputed
            else "",
            published_at=self._moment(day["date"]) if visible else None,
            internal_notes="Internal: confirmed by phone with the family."
            if rng.random() < 0.05
            else "",
            sort_date=natural_sort_date(
                day["date"], day["date_precision"], day.get("date_qualifier", "")
            ),
            **day,
        )
        if rng.random() < 0.3:
            self.writer.add(Alert.defenders.through, alert_id=alert, defender_id=affected[0])
        if rng.random() < 0.2:
            self.writer.add(
                Alert.authorities.through,
                alert_id=alert,
                authority_id=rng.choice(self.authorities[state]),
            )
        for position, source in enumerate(rng.sample(sources, rng.choice([1, 1, 2]))):
            self.writer.add(
                Citation,
                source_id=source,
                alert_id=alert,
                quoted_passage=f"“{rng.choice(DESCRIPTIONS).format(**words)}”",
                locator=rng.choice(["", "p. 2", "paragraph 4", "p. 1"]),
                position=position,
            )

    def _reference_code(self, state, case_state, on):
        """
        The next free code for a chain's first appeal published on `on`, by the numbering
        rules of cases/reference_codes.py on the numbers this run keeps in memory.
        """
        if case_state.get("country_number") is None:
            number = reference_codes.next_number(self.country_numbers.get(state))
            self.country_numbers[state] = number
            case_state["country_number"] = number
        while True:
            running = reference_codes.next_number(self.running_numbers.get(on.year))
            self.running_numbers[on.year] = running
            code = reference_codes.chain_code(
                state=countries.alpha3(state),
                case_number=case_state["country_number"],
                first_on=on,
                number=running,
            )
            if code not in self.codes:
                self.codes.add(code)
                return code, running

    def _appeals(self, case, state, opened_on, end, published, violations, words, *, benchmark):
        rng = self.rng
        appeals = []
        case_row = self.writer.rows[Case][-1]
        if not (benchmark or rng.random() < 0.6):
            return appeals
        officer = rng.choice(self.users["officers"])
        publisher = rng.choice(self.users["publishers"])
        co_signers = rng.sample(self.co_signers, rng.randint(0, 2))
        root_published = published and (benchmark or rng.random() < 0.95)
        on = self._date_between(opened_on, min(end, opened_on + datetime.timedelta(days=90)))
        root = self._appeal(
            case,
            "urgent_appeal",
            state,
            on,
            root_published,
            officer,
            publisher,
            co_signers,
            violations,
            words,
        )
        if root_published:
            root["reference_code"], root["code_number"] = self._reference_code(state, case_row, on)
            root["code_year"] = on.year
        appeals.append(root)
        addressees = rng.sample(self.authorities[state], rng.randint(1, 3))
        self._addressees(root["id"], addressees, state)
        self._requested_actions(root, state, addressees, rng.randint(1, 4), words)
        if not root_published:
            return appeals

        follow_ups = 3 if benchmark else rng.choice([0, 0, 1, 1, 2, 3, 4])
        day = on
        for number in range(1, follow_ups + 1):
            day = self._date_between(day, min(end, day + datetime.timedelta(days=400)))
            withdrawn = number == follow_ups and not benchmark and rng.random() < 0.05
            follow_up = self._appeal(
                case,
                "follow_up",
                state,
                day,
                True,
                officer,
                publisher,
                co_signers,
                violations,
                words,
                parent=root,
                number=number,
            )
            if withdrawn:
                follow_up.update(
                    state="withdrawn",
                    withdrawn_at=follow_up["published_at"] + datetime.timedelta(days=2),
                    withdrawal_reason="Published with a mistake in the defender's name.",
                )
            appeals.append(follow_up)
            self._addressees(follow_up["id"], addressees, state)
            if rng.random() < 0.4:
                self._requested_actions(follow_up, state, addressees, rng.randint(1, 2), words)
        if case_row["status"] == "closed":
            closing = self._appeal(
                case,
                "case_closing",
                state,
                end,
                True,
                officer,
                publisher,
                co_signers,
                violations,
                words,
                parent=root,
                number=follow_ups + 1,
            )
            appeals.append(closing)
        if rng.random() < 0.1:
            # A follow-up still in draft: no number until it is published.
            appeals.append(
                self._appeal(
                    case,
                    "follow_up",
                    state,
                    None,
                    False,
                    officer,
                    publisher,
                    co_signers,
                    violations,
                    words,
                    parent=root,
                )
            )
        if rng.random() < 0.2:
            appeals.append(
                self._appeal(
                    case,
                    rng.choice(["press_release", "statement", "open_letter"]),
                    state,
                    self._date_between(opened_on, end),
                    True,
                    officer,
                    publisher,
                    co_signers,
                    violations,
                    words,
                )
            )
        return appeals

    def _appeal(
        self,
        case,
        kind,
        state,
        on,
        published,
        officer,
        publisher,
        co_signers,
        violations,
        words,
        *,
        parent=None,
        number=None,
    ):
        rng = self.rng
        titles = {
            "urgent_appeal": "{state}: judicial harassment of {name}",
            "follow_up": "{state}: new information on the case of {name}",
            "case_closing": "{state}: closing of the case of {name}",
            "press_release": "{name} must be protected, say partner organisations",
            "statement": "Statement on the proceedings against {name}",
            "open_letter": "Open letter to the authorities of {state} about {name}",
        }
        review = not published and rng.random() < 0.3
        row = {
            "case_id": case,
            "kind": kind,
            "reference_code": "",
            "code_year": None,
            "code_number": None,
            "parent_id": parent["id"] if parent else None,
            "follow_up_number": number if published else None,
            "issuer_id": self.observatory,
            "title": titles[kind].format(**words),
            "date": on if published else None,
            "language": rng.choice(["en", "en", "fr"]),
            "body": " ".join(text.format(**words) for text in rng.sample(DESCRIPTIONS, 3)),
            "take_action_before": on + datetime.timedelta(days=30)
            if published and kind == "urgent_appeal"
            else None,
            "state": "published" if published else ("in_review" if review else "draft"),
            "author_id": officer,
            "reviewer_id": publisher if published or review else None,
            "published_by_id": publisher if published else None,
            "published_at": self._moment(on, hours=3) if published else None,
            "internal_notes": "Internal: the family asked us to wait."
            if rng.random() < 0.1
            else "",
        }
        if parent and published and parent["reference_code"]:
            row["reference_code"] = reference_codes.follow_up_code(parent["reference_code"], number)
        row["co_signers"] = co_signers
        row["actions"] = []
        self.writer.add_row(Appeal, row)
        for organisation in co_signers:
            self.writer.add(
                Appeal.co_signers.through, appeal_id=row["id"], organisation_id=organisation
            )
        for violation in violations[:2]:
            self.writer.add(
                Appeal.violation_types.through, appeal_id=row["id"], violationtype_id=violation
            )
        return row

    def _addressees(self, appeal, authorities, state):
        for position, authority in enumerate(authorities):
            self.writer.add(
                Addressee,
                appeal_id=appeal,
                authority_id=authority,
                role="to" if position == 0 else "copy",
                position=position,
            )

    def _requested_actions(self, appeal, state, authorities, n, words):
        for position, text in enumerate(self.rng.sample(REQUESTED_ACTIONS, n), start=1):
            authority = self.rng.choice(authorities)
            action = self.writer.add(
                RequestedAction,
                appeal_id=appeal["id"],
                position=position,
                text=text.format(**words),
                target_state=state,
                target_authority_id=authority,
            )
            appeal["actions"].append((action, text.format(**words), authority))

    def _recommendations(self, case, state, appeals, end, sources, words):
        rng = self.rng
        made = []
        for appeal in appeals:
            if appeal["state"] not in ("published", "withdrawn"):
                continue
            for action, text, authority in appeal["actions"]:
                made.append(
                    (
                        {
                            "case_id": case,
                            "text": text,
                            "target_state": state,
                            "target_authority_id": authority,
                            "issuer_id": appeal["issuer_id"],
                            "issued_on": appeal["date"],
                            "appeal_id": appeal["id"],
                            "requested_action_id": action,
                        },
                        appeal["date"],
                        appeal["co_signers"],
                        appeal["state"] == "withdrawn",
                    )
                )
        if rng.random() < 0.3:
            issued_on = self._date_between(self.writer.rows[Case][-1]["opened_on"], end)
            made.append(
                (
                    {
                        "case_id": case,
                        "text": f"Release {words['name']} and grant them compensation.",
                        "quote": (
                            "The appropriate remedy would be to release the person immediately."
                        ),
                        "target_state": state,
                        "target_authority_id": rng.choice(self.authorities[state]),
                        "issuer_id": rng.choice(self.un_mechanisms),
                        "issued_on": issued_on,
                        "source_id": rng.choice(sources),
                    },
                    issued_on,
                    [],
                    False,
                )
            )
        for row, issued_on, co_issuers, withdrawn in made:
            recommendation = self.writer.add_row(Recommendation, row)
            for organisation in co_issuers:
                self.writer.add(
                    Recommendation.co_issuers.through,
                    recommendation_id=recommendation,
                    organisation_id=organisation,
                )
            day = issued_on
            history = (
                ["closed"]
                if withdrawn
                else rng.sample(
                    ["committed", "partial", "not_implemented", "pending", "implemented"],
                    rng.choice([0, 0, 1, 1, 2, 3]),
                )
            )
            for status in history:
                day = self._date_between(day, min(LAST_DAY, day + datetime.timedelta(days=365)))
                update = self.writer.add(
                    RecommendationUpdate,
                    recommendation_id=recommendation,
                    date=day,
                    date_precision="day",
                    description=UPDATE_TEXTS[status],
                    status=status,
                    recorded_by_id=rng.choice(self.users["officers"]),
                )
                if rng.random() < 0.4:
                    self.writer.add(
                        Citation,
                        source_id=rng.choice(sources),
                        recommendation_update_id=update,
                        quoted_passage="“The government has taken note of the concerns.”",
                    )

    # --- The run ---------------------------------------------------------------------------

    def run(self):
        """Create the observatory, one transaction per chunk of cases; returns a Summary."""
        with transaction.atomic():
            self._reference_data()
        self._previous_case = None
        # The benchmark case comes first: a database holding it holds generated data.
        index = 0
        while index < self.total:
            chunk = range(index, min(self.total, index + CASES_PER_CHUNK))
            with transaction.atomic():
                for number in chunk:
                    self._case(number + 1, benchmark=number == 0)
                self._write_chunk()
            if self.progress:
                self.progress(len(chunk))
            index = chunk.stop
        return Summary([(model, self.writer.counts[model]) for model in REPORTED_MODELS])

    def _write_chunk(self):
        recommendations = [row["id"] for row in self.writer.rows[Recommendation]]
        cases = [row["id"] for row in self.writer.rows[Case]]
        cited = sorted(
            {row["source_id"] for row in self.writer.rows[Citation]}
            | {row.get("source_id") for row in self.writer.rows[Recommendation]} - {None}
        )
        self.writer.flush(WRITE_ORDER)
        # Whether a published page cites each source, by the same rule.
        for start in range(0, len(cited), 5000):
            Source.objects.filter(pk__in=cited[start : start + 5000]).refresh_cited_publicly()
        # And each case's last public change, and whether the appeals' and recommendations'
        # case is published, by the rules of every other write.
        for start in range(0, len(cases), 5000):
            chunk = cases[start : start + 5000]
            Case.objects.filter(pk__in=chunk).refresh_last_public_change()
            Appeal.objects.filter(case__in=chunk).refresh_case_published()
            Recommendation.objects.filter(case__in=chunk).refresh_case_published()
        # The stored status, by the rule the signals apply to every other write: one UPDATE.
        for start in range(0, len(recommendations), 5000):
            ids = recommendations[start : start + 5000]
            Recommendation.objects.filter(pk__in=ids).refresh_status()


def holds_generated_data():
    return Case.objects.filter(slug=BENCHMARK_CASE_SLUG).exists()
