"""
One search across cases, alerts, appeals, recommendations and defenders, grouped by type.

PostgreSQL: full-text search over the `public_search` columns that migrations 0006 and 0022
generate from public fields only (each language's texts in its own stemming: English, French,
Spanish, Russian; accents folded; GIN indexes), trigram
similarity (pg_trgm) on names, aliases and titles so that a source's misspelling still finds
the record, and reference codes compared without spaces. The matching passage comes from
ts_headline(). SQLite: every word of the query must occur (icontains) in the same fields, and
the passage is marked here. The staff search also finds the records of the defenders whose
names or aliases are like the words of the query (a misspelling too), on both databases, and
on SQLite the defenders themselves by them (PostgreSQL compares names by trigrams).

The public search starts from the `published()` querysets and reads only public fields; the
staff search (the admin) starts from every record and also matches the real names and aliases
of protected defenders. Either way a page costs one query per type, whatever the data size
(the staff search: two more on SQLite for the names, and one for the aliases it names).
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .disclosure import TRANSLATED, translation_columns
from .models import Alert, Alias, Appeal, CaseDefender, Defender, Recommendation
from .models import Case as CaseModel

MAX_QUERY_LENGTH = 200
# How many matches per type are ranked: enough for any reader, and a bound on the work a
# query that matches half the database can cause. Beyond it the order is not by relevance.
CANDIDATES = 300
# Fuzzy title matches only for short, name-like queries: a long phrase is a full-text search.
# (Fuzzy means pg_trgm's `<%` with its default word_similarity_threshold of 0.6:
# "Jardimalie" ~ "Jardemalie" is 0.73.)
FUZZY_MAX_WORDS = 2
# The length of the passage shown under each result.
SNIPPET_WORDS = 30
# The staff search on SQLite matches names in Python: a name matches a word of the query
# when one of its words is this similar to it (difflib's ratio; "Jardemallie" ~ "Jardemalie"
# is 0.95, "Jardimalie" 0.9), among at most FUZZY_CANDIDATES names that share the word's
# first or last three letters.
NAME_SIMILARITY = 0.8
FUZZY_CANDIDATES = 2000

# ts_headline() marks matches with two private-use characters, which the page turns into
# <mark> after escaping everything else.
START, STOP = "\ue000", "\ue001"
_HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
    "MaxFragments=2, FragmentDelimiter=' … '"
)


class SearchError(ValueError):
    """The query cannot be searched; the message says why."""


def clean_query(raw):
    """The query with its spaces tidied; SearchError for what no search should receive."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("The search is too long: %(n)s characters at most.") % {"n": MAX_QUERY_LENGTH}
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in raw if ch != " "):
        raise SearchError(_("The search contains characters that cannot be searched."))
    return " ".join(raw.split())


@dataclass
class Result:
    title: str
    url: str
    meta: str
    snippet: list = field(default_factory=list)  # [(text, is_match), ...]
    matched: str = ""  # the other name (alias) of a defender that the query matched


@dataclass
class Group:
    kind: str
    label: str
    results: list
    more: bool


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type
    title: str  # the field shown as the result's title
    body: str  # the field the passage is taken from
    # Fields the SQLite fallback matches; "public" for both searches, "staff" for staff only.
    fields: tuple
    staff_fields: tuple = ()


KINDS = {
    kind.name: kind
    for kind in (
        Kind("case", _("Cases"), CaseModel, "title", "summary", ("title", "summary")),
        Kind(
            "alert",
            _("Alerts"),
            Alert,
            "title",
            "description",
            ("title", "description", "place", "dispute_note"),
        ),
        Kind(
            "appeal",
            _("Appeals"),
            Appeal,
            "title",
            "body",
            ("title", "reference_code", "body"),
        ),
        Kind("recommendation", _("Recommendations"), Recommendation, "text", "text", ("text",)),
        Kind(
            "defender",
            _("Defenders"),
            Defender,
            "public_name",
            "public_profile",
            ("public_name", "protection_status", "public_profile"),
            staff_fields=("name",),
        ),
    )
}


def base_queryset(kind, public):
    """Where the search starts: what the public may see, or every record for staff."""
    model = KINDS[kind].model
    queryset = model.objects.published() if public else model.objects.all()
    if kind == "defender" and public:
        # A protected defender has no public page and is found by no public search.
        queryset = queryset.filter(identity_protected=False)
    if kind in ("alert", "appeal", "recommendation"):
        queryset = queryset.select_related("case")
    return queryset


def search(query, *, public=True, kinds=None, limit=5, confidential=False):
    """
    The groups of results for `query` (already cleaned), `limit` per type, best first. One
    query per type. Staff search (`public` false) also matches the real names and aliases of
    protected defenders, and shows the real names, only when `confidential` (the user may
    view confidential fields).
    """
    reveal = not public and confidential
    postgresql = connection.vendor == "postgresql"
    kinds = list(KINDS if kinds is None else kinds)
    # Staff: the defenders whose names are like the words of the query, for the defenders (on
    # SQLite; PostgreSQL compares them by trigrams) and the records of their cases.
    named = _named_defenders(query, reveal) if not public else None
    groups = []
    for name in kinds:
        kind = KINDS[name]
        queryset = base_queryset(name, public)
        if postgresql:
            rows = _postgresql(queryset, kind, query, public, reveal, named)
        else:
            rows = _fallback(queryset, kind, query, public, reveal, named)
        rows = list(rows[: limit + 1])
        results = [_result(row, kind, query, public, reveal) for row in rows[:limit]]
        if name == "defender" and not public:
            _say_which_alias_matched(rows[:limit], results, query, reveal)
        groups.append(Group(kind=name, label=kind.label, results=results, more=len(rows) > limit))
    return groups


# How many cases, and defenders whose cases, a text query on the case list takes: the
# list counts and filters among them, so the bound keeps its cost whatever the data size.
CASE_LIST_CANDIDATES = 1000


def matching_case_ids(query):
    """
    The published cases the public search finds for `query` (already cleaned), directly or
    through a defender it finds: one search per type, run once, so that the case list and
    each of its facet counts filter by a list of ids rather than search again. A protected
    defender is found by their public name (the pseudonym the case page shows) only.
    """
    from .models import CaseDefender

    matches = {}
    for name in ("case", "defender"):
        queryset = base_queryset(name, public=True)
        if connection.vendor == "postgresql":
            rows = _postgresql(queryset, KINDS[name], query, True, False)
        else:
            rows = _fallback(queryset, KINDS[name], query, True, False)
        matches[name] = list(rows.values_list("pk", flat=True)[:CASE_LIST_CANDIDATES])
    pseudonyms = Defender.objects.published().filter(identity_protected=True)
    for word in _words(query):
        pseudonyms = pseudonyms.filter(public_name__icontains=word)
    # One query whatever was found (the pseudonyms are a subquery).
    through = CaseDefender.objects.filter(
        Q(defender__in=matches["defender"])
        | Q(defender__in=pseudonyms.values("pk")[:CASE_LIST_CANDIDATES]),
        case__published_at__isnull=False,
    ).values_list("case_id", flat=True)[:CASE_LIST_CANDIDATES]
    return set(matches["case"]) | set(through)


# Results per type on the search page, and on the page of one type ("more").
GROUP_SIZE = 5
TYPE_SIZE = 50


def search_page(params, *, public, user=None):
    """
    The context of a search page (public or staff) from its query parameters, and its
    status: 400 with a message for a query that cannot be searched, an empty page for no
    query, else the results grouped by type. `public` decides where the search starts; a
    staff `user` searches only the types they may view, and the real names of protected
    defenders only with the confidential permission.
    """
    from . import disclosure

    raw = params.get("q", "")
    kind = params.get("type", "")
    context = {"query": "", "kind": kind, "groups": [], "error": ""}
    try:
        query = clean_query(raw)
        if kind and kind not in KINDS:
            raise SearchError(_("There is no such type of result to search."))
    except SearchError as error:
        context["error"] = str(error)
        return context, 400
    context["query"] = query
    if not query:
        return context, 200
    kinds = [kind] if kind else list(KINDS)
    if user is not None:
        kinds = [k for k in kinds if user.has_perm(f"cases.view_{k}")]
    context["groups"] = search(
        query,
        public=public,
        kinds=kinds,
        limit=TYPE_SIZE if kind else GROUP_SIZE,
        confidential=user is not None and disclosure.may_view(user),
    )
    context["found"] = any(group.results for group in context["groups"])
    return context, 200


# --- PostgreSQL --------------------------------------------------------------------------------

# The text search configuration of each language of the site (its stemming).
SEARCH_CONFIGS = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian"}
# The query in each language's stemming: a French word finds the French texts, and so on.
_TSQUERY = (
    "("
    + " || ".join(
        f"websearch_to_tsquery('{config}'::regconfig, observatory_unaccent(%s))"
        for config in SEARCH_CONFIGS.values()
    )
    + ")"
)
_TSQUERY_PARAMS = len(SEARCH_CONFIGS)
_FUZZY = "observatory_unaccent(%s) <%% observatory_unaccent({column})"


def _like_pattern(text):
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _code_key(query):
    return re.sub(r"\s+", "", query).upper()


# The SQL below is assembled from this module's constants and the models' table and field
# names only; the reader's text is always a query parameter (ruff S608/S611 and bandit
# B608/B611 warn of the former: reviewed).
def _postgresql(queryset, kind, query, public, reveal, named=None):
    table = kind.model._meta.db_table
    short = len(query.split()) <= FUZZY_MAX_WORDS
    # Each branch can use its own index; UNION of ids, each branch capped.
    branches = [
        (f"SELECT id FROM {table} WHERE public_search @@ {_TSQUERY}", [query] * _TSQUERY_PARAMS)  # noqa: S608 # nosec B608
    ]
    if kind.name == "defender":
        branches.append(
            (f"SELECT id FROM {table} WHERE {_FUZZY.format(column='public_name')}", [query])  # noqa: S608 # nosec B608
        )
        protected = "" if reveal else " AND NOT d.identity_protected"
        branches.append(
            (
                f"SELECT d.id FROM {table} d WHERE {_FUZZY.format(column='d.name')}{protected}",  # noqa: S608 # nosec B608
                [query],
            )
        )
        branches.append(
            (
                f"SELECT a.defender_id FROM cases_alias a JOIN {table} d ON d.id = a.defender_id"  # noqa: S608 # nosec B608
                f" WHERE {_FUZZY.format(column='a.name')}{protected}",
                [query],
            )
        )
    elif short and kind.name in ("case", "alert", "appeal"):
        branches.append((f"SELECT id FROM {table} WHERE {_FUZZY.format(column='title')}", [query]))  # noqa: S608 # nosec B608
    if kind.name == "appeal" and len(_code_key(query)) >= 3:
        branches.append(
            (
                f"SELECT id FROM {table} WHERE reference_code <> ''"  # noqa: S608 # nosec B608
                " AND observatory_code_key(reference_code) LIKE %s",
                [_like_pattern(_code_key(query))],
            )
        )
    sql = " UNION ".join(f"({branch} LIMIT {CANDIDATES})" for branch, _params in branches)
    params = [p for _branch, branch_params in branches for p in branch_params]

    column = f'"{table}"'
    rank_sql = (
        f"ts_rank({column}.public_search, {_TSQUERY})"
        f" + word_similarity(observatory_unaccent(%s), observatory_unaccent({column}.{kind.title}))"
    )
    rank_params = [query] * _TSQUERY_PARAMS + [query]
    if kind.name == "appeal":
        rank_sql += (
            f" + CASE WHEN {column}.reference_code <> ''"
            f" AND observatory_code_key({column}.reference_code) LIKE %s THEN 2 ELSE 0 END"
        )
        rank_params.append(_like_pattern(_code_key(query)))
    # The passage in the reader's language where the record has it, in its original otherwise.
    language = get_language() if get_language() in SEARCH_CONFIGS else settings.LANGUAGE_CODE
    body = kind.body
    if body in TRANSLATED.get(kind.model, ()):
        body = f"coalesce(nullif({column}.{body}_{language}, ''), {column}.{body})"
    else:
        body = f"{column}.{body}"
    headline_sql = f"ts_headline('{SEARCH_CONFIGS[language]}'::regconfig, {body}, {_TSQUERY}, %s)"
    found = Q(pk__in=RawSQL(sql, params))  # noqa: S611 # nosec B611
    if named and kind.name != "defender":
        # The records of the defenders every word of the query names (a misspelling too).
        ids = set.intersection(*named.values())
        if ids:
            found |= _by_defender(kind, ids)
    return (
        queryset.filter(found)
        .annotate(
            rank=RawSQL(rank_sql, rank_params, output_field=FloatField()),  # noqa: S611 # nosec B611
            headline=RawSQL(  # noqa: S611 # nosec B611
                headline_sql, [query] * _TSQUERY_PARAMS + [_HEADLINE_OPTIONS]
            ),
        )
        .order_by("-rank", "-pk")
    )


def _split_headline(text):
    """ts_headline's marked text as (text, is_match) pieces; the template escapes each."""
    pieces = []
    for i, part in enumerate(re.split(f"[{START}{STOP}]", text)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


# --- SQLite and other databases ----------------------------------------------------------------


def _words(query):
    return [word for word in re.split(r"[\s,;:!?\"()]+", query) if word]


def _fold(text):
    text = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _name_words(name):
    return [w for w in re.split(r"[\s\-'’.,]+", _fold(name)) if w]


def name_matches(name, word):
    """Whether a word of `name` starts with the query's `word` or is like it (a misspelling)."""
    word = _fold(word)
    return any(
        part.startswith(word)
        or (len(word) >= 4 and difflib.SequenceMatcher(None, word, part).ratio() >= NAME_SIMILARITY)
        for part in _name_words(name)
    )


def similarity(name, query):
    """How like `query` `name` is, from 0 to 1: the best of the whole and word by word."""
    words = _words(_fold(query))
    if not words:
        return 0.0
    whole = difflib.SequenceMatcher(None, _fold(name), _fold(query)).ratio()
    parts = _name_words(name) or [""]
    by_word = sum(
        max(difflib.SequenceMatcher(None, w, p).ratio() for p in parts) for w in words
    ) / len(words)
    return max(whole, by_word)


def _named_defenders(query, reveal):
    """
    {word: ids of the defenders one of whose names matches it} for the words of `query`:
    their public names, and their aliases and real names but, without `reveal`, those of
    protected defenders. Two queries.
    """
    words = [w for w in _words(query) if len(w) >= 3]
    if not words:
        return {}
    aliases = Alias.objects.filter(_candidates("name", words))
    if not reveal:
        aliases = aliases.filter(defender__identity_protected=False)
    names = list(aliases.values_list("defender_id", "name")[:FUZZY_CANDIDATES])
    real_names = _candidates("name", words)
    if not reveal:
        real_names &= Q(identity_protected=False)
    people = Defender.objects.filter(_candidates("public_name", words) | real_names)
    rows = people.values_list("id", "public_name", "name", "identity_protected")
    for pk, public_name, real_name, protected in rows[:FUZZY_CANDIDATES]:
        names.append((pk, public_name))
        if reveal or not protected:
            names.append((pk, real_name))
    return {word: {pk for pk, name in names if name_matches(name, word)} for word in words}


def _candidates(field, words):
    """Names in `field` that may match a word: they contain it, or its first or last three
    letters (a misspelling is seldom at both ends)."""
    condition = Q()
    for word in words:
        condition |= Q(**{f"{field}__icontains": word})
        if len(word) >= 4:
            condition |= Q(**{f"{field}__icontains": word[:3]})
            condition |= Q(**{f"{field}__icontains": word[-3:]})
    return condition


def _by_defender(kind, ids):
    """The records of `kind` that concern the defenders `ids`: they or their cases."""
    if kind.name == "defender":
        return Q(pk__in=ids)
    cases = CaseDefender.objects.filter(defender_id__in=ids).values("case_id")
    if kind.name == "case":
        return Q(pk__in=cases)
    return Q(case_id__in=cases)


def _say_which_alias_matched(rows, results, query, reveal):
    """
    Each defender found under another of their names says which: the alias most like the
    query, when it is more like it than the public name. One query; no alias of a protected
    defender unless `reveal`.
    """
    shown = [row.pk for row in rows if reveal or not row.identity_protected]
    aliases = {}
    for defender_id, name in Alias.objects.filter(defender_id__in=shown).values_list(
        "defender_id", "name"
    ):
        aliases.setdefault(defender_id, []).append(name)
    for row, result in zip(rows, results, strict=False):
        best = max(aliases.get(row.pk, []), key=lambda n: similarity(n, query), default=None)
        if best is None:
            continue
        own = max(similarity(row.public_name, query), similarity(row.name, query) if reveal else 0)
        if similarity(best, query) > own:
            result.matched = best


def _fallback(queryset, kind, query, public, reveal, named=None):
    # Only what the declaration makes public (cases/disclosure.py), whoever searches; staff
    # who may see confidential fields also search the real names.
    from . import disclosure

    shown = disclosure.public_fields(kind.model) - disclosure.fields_of(
        kind.model, disclosure.PublicWhen
    )
    fields = tuple(f for f in kind.fields if f in shown) + (() if public else kind.staff_fields)
    # A record is found by any of its translations: every language's column of a translated
    # field (cases/translation.py).
    translated = TRANSLATED.get(kind.model, ())
    fields = tuple(
        column
        for name in fields
        for column in (translation_columns(kind.model, name) if name in translated else [name])
    )
    words = _words(query)
    if not words:
        return queryset.none()
    condition = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            match = Q(**{f"{name}__icontains": word})
            if name in kind.staff_fields and not reveal:
                match &= Q(identity_protected=False)
            any_field |= match
        if kind.name == "defender":
            aliases = Q(aliases__name__icontains=word)
            if not reveal:
                aliases &= Q(identity_protected=False)
            any_field |= Q(pk__in=Defender.objects.filter(aliases).values("pk"))
        if named and named.get(word):
            # A defender's name, alias or a misspelling of one: the defender and their records.
            any_field |= _by_defender(kind, named[word])
        condition &= any_field
    if kind.name == "appeal":
        code = Replace(Upper("reference_code"), Value(" "), Value(""))
        condition |= Q(~Q(reference_code=""), code_key__contains=_code_key(query))
        queryset = queryset.alias(code_key=code)
    in_title = Q()
    for word in words:
        in_title &= Q(**{f"{kind.title}__icontains": word})
    return (
        queryset.filter(condition)
        .annotate(
            rank=Case(
                When(in_title, then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            ),
            exact=Case(
                When(**{f"{kind.title}__iexact": query}, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-exact", "-rank", "-pk")
    )


def mark_words(text, query, max_words=SNIPPET_WORDS):
    """
    A passage of `text` around the first word of `query` it contains, as (text, is_match)
    pieces for the template to escape; the start of the text when no word occurs.
    """
    words = sorted({w.lower() for w in _words(query)}, key=len, reverse=True)
    if not text:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    tokens = text.split(" ")
    if first:
        before = text[: first.start()].count(" ")
        start = max(0, before - max_words // 3)
    else:
        start = 0
    passage = " ".join(tokens[start : start + max_words])
    prefix = "… " if start else ""
    suffix = " …" if start + max_words < len(tokens) else ""
    pieces = [(prefix, False)] if prefix else []
    position = 0
    for match in pattern.finditer(passage) if pattern else ():
        if match.start() > position:
            pieces.append((passage[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(passage):
        pieces.append((passage[position:], False))
    if suffix:
        pieces.append((suffix, False))
    return pieces


# --- Results -----------------------------------------------------------------------------------


def _result(row, kind, query, public, reveal):
    if hasattr(row, "headline"):
        snippet = _split_headline(row.headline)
    else:
        snippet = mark_words(getattr(row, kind.body), query)
    if public:
        url = row.get_absolute_url()
    else:
        url = reverse(f"admin:cases_{kind.model._meta.model_name}_change", args=[row.pk])
    return Result(
        title=_title(row, kind, reveal),
        url=url,
        meta=_meta(row, kind.name, public),
        snippet=snippet,
    )


def _title(row, kind, reveal):
    if kind.name == "defender" and reveal and row.name != row.public_name:
        return f"{row.public_name} ({row.name})"
    if kind.name == "recommendation":
        return str(row)
    return getattr(row, kind.title)


def _meta(row, kind, public):
    if kind == "case":
        parts = [row.state_of_concern.name, row.get_status_display()]
    elif kind == "alert":
        parts = [row.date_display, row.case.title]
    elif kind == "appeal":
        parts = [row.reference_code, row.get_kind_display(), row.case.title]
        if row.date:
            parts.insert(0, row.date.isoformat())
    elif kind == "recommendation":
        parts = [row.case.title, row.issued_on.isoformat()]
    else:
        parts = [row.get_profession_display() if row.profession else "", row.protection_status]
    if not public and kind in ("case", "alert") and row.published_at is None:
        parts.append(str(_("not published")))
    if not public and kind == "appeal":
        parts.append(row.get_state_display())
    return " · ".join(str(p) for p in parts if p)
