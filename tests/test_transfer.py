"""
Spreadsheet import and export for staff (cases/transfer.py): the round trip, all or
nothing with every error named, idempotence, the columns a role may write and see, history,
and the log of every export.
"""

import datetime
import math

import pytest
import tablib
from django.db import models
from django.utils import timezone

from cases import disclosure, transfer
from cases.models import (
    Alert,
    Alias,
    Appeal,
    Case,
    CaseDefender,
    Citation,
    Defender,
    Recommendation,
    RecommendationUpdate,
    TransferLog,
)
from tests.factories import make_case, make_defender, make_source, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff("case-officer")


@pytest.fixture
def contributor():
    return make_staff("contributor")


def _rows(content, file_format="csv"):
    return transfer.read(file_format, content)


def _dataset(headers, rows):
    return tablib.Dataset(*rows, headers=headers)


# --- Templates and columns -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(transfer.KINDS))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_kind_has_a_template_of_the_columns_a_role_may_write(
    kind, file_format, officer, contributor
):
    model = transfer.model_of(kind)
    for user in (officer, contributor):
        headers = _rows(transfer.template(user, kind, file_format), file_format).headers
        assert "external_id" in headers or kind in ("citations", "recommendation-updates")
        for name in headers:
            declared = disclosure.DECLARATION[model].get(name)
            assert declared != disclosure.INTERNAL or name == "external_id", name
            if declared == disclosure.PUBLICATION:
                assert name in disclosure.ADD_FORM_WRITABLE.get(model, set()), name
            if declared == disclosure.CONFIDENTIAL:
                assert user == officer, name
    assert "internal_notes" in _rows(transfer.template(officer, "cases", "csv")).headers
    assert "internal_notes" not in _rows(transfer.template(contributor, "cases", "csv")).headers
    assert "published_at" not in _rows(transfer.template(officer, "alerts", "csv")).headers


def test_a_contributor_cannot_import_confidential_or_publication_columns(contributor):
    case = make_case()
    for column in ("internal_notes", "risk_level", "published_at"):
        data = _dataset(
            ["external_id", "title", "case", "date", "kind", "description", column],
            [["a-1", "Title", case.slug, "2020-01-01", "other", "What happened.", "x"]],
        )
        report = transfer.run_import(contributor, "alerts", data, dry_run=False)
        assert not report.ok and column in report.errors[0][1]
    assert not Alert.objects.exists()


def test_an_import_never_publishes(officer):
    data = _dataset(
        ["external_id", "title", "slug", "summary", "state_of_concern", "opened_on"],
        [["c-1", "A case", "a-case", "Summary.", "KZ", "2019-01-01"]],
    )
    report = transfer.run_import(officer, "cases", data, dry_run=False)
    assert report.ok and report.written, report.errors
    case = Case.objects.get(external_id="c-1")
    assert case.published_at is None
    assert case.history.first().history_change_reason == "import"
    assert case.history.first().history_user == officer


# --- All or nothing, every error named, idempotence ----------------------------------------

ALERT_HEADERS = ["external_id", "case", "date", "kind", "title", "description", "verification"]


def _alert_rows(case, n, broken=()):
    rows = []
    for i in range(n):
        date = (
            "2019-13-45"
            if i in broken
            else (datetime.date(2010, 1, 1) + datetime.timedelta(days=i)).isoformat()
        )
        rows.append(
            [f"alert-{i}", case.slug, date, "arrest", f"Alert {i}", f"What happened {i}.", ""]
        )
    return rows


def test_ten_errors_in_a_thousand_rows_change_nothing_and_each_is_named(officer):
    case = make_case()
    broken = {3, 99, 100, 250, 400, 512, 640, 777, 901, 999}
    rows = _alert_rows(case, 1000, broken)
    rows[500][1] = "no-such-case"  # an eleventh: a case that does not exist
    broken.add(500)
    data = _dataset(ALERT_HEADERS, rows)
    for dry_run in (True, False):
        report = transfer.run_import(officer, "alerts", data, dry_run=dry_run)
        assert not report.ok and not report.written
        # Spreadsheet rows: the header is row 1, so data row i is row i + 2.
        assert {number for number, _ in report.errors} == {i + 2 for i in broken}
        by_row = dict(report.errors)
        assert "date" in by_row[3 + 2] and "is not a date" in by_row[3 + 2]
        assert "no-such-case" in by_row[502]
    assert not Alert.objects.exists()
    assert not TransferLog.objects.exists()


def test_a_dry_run_writes_nothing_and_says_what_would_be_written(officer):
    case = make_case()
    data = _dataset(ALERT_HEADERS, _alert_rows(case, 5))
    report = transfer.run_import(officer, "alerts", data, dry_run=True)
    assert report.ok and report.new == 5 and not report.written
    assert not Alert.objects.exists()


def test_importing_the_same_file_twice_changes_nothing(officer):
    case = make_case()
    data = _dataset(ALERT_HEADERS, _alert_rows(case, 20))
    first = transfer.run_import(officer, "alerts", data, dry_run=False)
    assert first.ok and first.new == 20
    versions = Alert.history.count()
    again = transfer.run_import(officer, "alerts", data, dry_run=False)
    assert again.ok and again.new == 0 and again.updated == 0 and again.unchanged == 20
    assert Alert.objects.count() == 20 and Alert.history.count() == versions
    rows = _alert_rows(case, 20)
    rows[4][4] = "A corrected headline"
    changed = transfer.run_import(officer, "alerts", _dataset(ALERT_HEADERS, rows), dry_run=False)
    assert changed.updated == 1 and changed.unchanged == 19
    assert Alert.objects.get(external_id="alert-4").title == "A corrected headline"


def test_defenders_with_aliases_and_cases(officer):
    case = make_case(external_id="case-a")
    data = _dataset(
        ["external_id", "name", "public_name", "slug", "cases", "aliases"],
        [["d-1", "Botagoz Jardemalie", "Botagoz Jardemalie", "bj", "case-a", "Jardimalie; Bota"]],
    )
    for _ in range(2):
        report = transfer.run_import(officer, "defenders", data, dry_run=False)
        assert report.ok, report.errors
    defender = Defender.objects.get(external_id="d-1")
    assert set(defender.aliases.values_list("name", flat=True)) == {"Jardimalie", "Bota"}
    assert CaseDefender.objects.filter(case=case, defender=defender).count() == 1
    alias = defender.aliases.first()
    assert alias.history.first().history_change_reason == "import"


def test_a_contributor_cannot_change_a_protected_defenders_hidden_fields(contributor):
    defender = make_defender(
        name="Real Name", public_name="Defender A", identity_protected=True, external_id="d-9"
    )
    data = _dataset(["external_id", "name", "public_name", "slug"], [["d-9", "Guess", "X", "x"]])
    report = transfer.run_import(contributor, "defenders", data, dry_run=False)
    assert not report.ok and "may not change" in report.errors[0][1]
    defender.refresh_from_db()
    assert defender.name == "Real Name" and defender.public_name == "Defender A"


def test_appeals_keep_their_printed_codes_and_refuse_a_taken_one(officer):
    from tests.factories import make_organisation

    make_case(external_id="case-a")
    issuer = make_organisation(name="OIAD")
    headers = ["external_id", "case", "kind", "issuer", "title", "date", "body", "reference_code"]
    row = [
        "ap-1",
        "case-a",
        "urgent_appeal",
        "OIAD",
        "An appeal",
        "2020-07-20",
        "Body.",
        "kaz 001/0720/obs 086",
    ]
    report = transfer.run_import(officer, "appeals", _dataset(headers, [row]), dry_run=False)
    assert report.ok, report.errors
    appeal = Appeal.objects.get(external_id="ap-1")
    assert appeal.reference_code == "kaz 001/0720/obs 086" and appeal.issuer == issuer
    assert appeal.state == Appeal.State.DRAFT
    assert (appeal.code_year, appeal.code_number) == (2020, 86)
    other = [*row]
    other[0], other[-1] = "ap-2", "KAZ 001 / 0720 / OBS 086"
    report = transfer.run_import(officer, "appeals", _dataset(headers, [other]), dry_run=False)
    assert not report.ok and "already the code" in report.errors[0][1]


def test_recommendations_with_their_updates(officer):
    from tests.factories import make_organisation

    make_case(external_id="case-a")
    make_organisation(name="OIAD")
    recs = _dataset(
        ["external_id", "case", "text", "target_state", "issuer", "issued_on"],
        [["r-1", "case-a", "Stop the cooperation.", "BE", "OIAD", "2020-03-20"]],
    )
    assert transfer.run_import(officer, "recommendations", recs, dry_run=False).ok
    updates = _dataset(
        ["recommendation", "date", "status", "description"],
        [
            ["r-1", "2020-05-01", "committed", "Assurances given."],
            ["r-1", "2021-02-01", "not_implemented", "Documents sent anyway."],
        ],
    )
    for _ in range(2):
        report = transfer.run_import(officer, "recommendation-updates", updates, dry_run=False)
        assert report.ok, report.errors
    recommendation = Recommendation.objects.get(external_id="r-1")
    assert recommendation.updates.count() == 2
    assert recommendation.current_status == "not_implemented"


def test_alerts_with_citations(officer):
    case = make_case()
    transfer.run_import(
        officer, "alerts", _dataset(ALERT_HEADERS, _alert_rows(case, 1)), dry_run=False
    )
    source = make_source(url="https://example.org/statement")
    citations = _dataset(
        ["alert", "position", "source_url", "source_title", "source_kind", "quoted_passage"],
        [
            ["alert-0", "0", "https://example.org/statement", "", "", "As printed."],
            ["alert-0", "1", "", "A letter we hold", "letter", "Another passage."],
        ],
    )
    for _ in range(2):
        report = transfer.run_import(officer, "citations", citations, dry_run=False)
        assert report.ok, report.errors
    alert = Alert.objects.get(external_id="alert-0")
    assert [c.source for c in alert.citations.order_by("position")][0] == source
    added = alert.citations.get(position=1).source
    assert added.title == "A letter we hold" and not added.is_public  # never published


# --- Export --------------------------------------------------------------------------------


def test_an_export_shows_what_the_role_may_see_and_is_logged(contributor, officer):
    case = make_case(internal_notes="zqnotes")
    make_defender(case, name="Real Name", public_name="Defender A", identity_protected=True)
    private = make_source(is_public=False, title="zqprivate")
    from tests.factories import make_alert, make_citation

    make_citation(source=private, alert=make_alert(case), quoted_passage="zqquote")
    for kind in transfer.KINDS:
        content = transfer.export(contributor, kind, "csv").decode()
        assert "zq" not in content and "Real Name" not in content, kind
    defenders = _rows(transfer.export(contributor, "defenders", "xlsx"), "xlsx")
    (row,) = defenders.dict
    assert row["name"] == str(disclosure.CONFIDENTIAL_MARK) and row["public_name"] == "Defender A"
    log = TransferLog.objects.filter(user=contributor, direction="export")
    assert log.count() == len(transfer.KINDS) + 1
    assert log.filter(what="defenders", file_format="xlsx", rows=1).exists()
    assert not log.filter(with_confidential=True).exists()
    assert "zqnotes" in transfer.export(officer, "cases", "csv").decode()


def test_a_contributor_reimporting_their_masked_export_changes_nothing(contributor):
    defender = make_defender(
        make_case(), name="Real Name", public_name="Defender A", identity_protected=True
    )
    content = transfer.export(contributor, "defenders", "csv")
    report = transfer.run_import(contributor, "defenders", _rows(content), dry_run=False)
    assert report.ok and report.unchanged == 1, report.errors
    defender.refresh_from_db()
    assert defender.name == "Real Name"


# --- The round trip ------------------------------------------------------------------------


def _wipe():
    Citation.objects.filter(alert__isnull=False).delete()
    Citation.objects.all().delete()
    RecommendationUpdate.objects.all().delete()
    Recommendation.objects.all().delete()
    Alert.objects.update(appeal=None)
    Appeal.objects.filter(parent__isnull=False).delete()
    Appeal.objects.all().delete()
    Alert.objects.all().delete()
    Alias.objects.all().delete()
    CaseDefender.objects.all().delete()
    Defender.objects.all().delete()
    Case.objects.all().delete()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_export_wipe_import_compare_every_row(jardemalie, officer, file_format):
    exported = {kind: transfer.export(officer, kind, file_format) for kind in transfer.KINDS}
    before = {kind: _rows(content, file_format).dict for kind, content in exported.items()}
    assert sum(len(rows) for rows in before.values()) > 100
    _wipe()
    assert not Case.objects.exists()
    for kind, content in exported.items():
        report = transfer.run_import(officer, kind, _rows(content, file_format), dry_run=False)
        assert report.ok, (kind, report.errors[:5])
        assert report.new == len(before[kind]), kind
    for kind in transfer.KINDS:
        after = _rows(transfer.export(officer, kind, file_format), file_format).dict
        assert after == before[kind], kind
    assert not Case.objects.filter(published_at__isnull=False).exists()
    assert timezone.now()  # nothing published, nothing lost


# --- The workspace's pages -----------------------------------------------------------------


def test_staff_check_a_file_then_import_it_from_the_workspace(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import log_in

    log_in(client, officer)
    case = make_case()
    url = reverse("admin:cases_transferlog_import")
    assert client.get(url).status_code == 200
    template = client.get(reverse("admin:cases_transferlog_template", args=["alerts", "csv"]))
    assert template.status_code == 200 and b"external_id" in template.content
    rows = _alert_rows(case, 3)
    rows[1][2] = "not a date"
    bad = _dataset(ALERT_HEADERS, rows).export("csv").encode()
    response = client.post(url, {"kind": "alerts", "file": SimpleUploadedFile("alerts.csv", bad)})
    assert response.status_code == 400
    assert "“not a date” is not a date" in response.content.decode()
    assert b'name="pending"' not in response.content and not Alert.objects.exists()
    good = _dataset(ALERT_HEADERS, _alert_rows(case, 3)).export("csv").encode()
    response = client.post(url, {"kind": "alerts", "file": SimpleUploadedFile("alerts.csv", good)})
    assert response.status_code == 200 and not Alert.objects.exists()  # checked, not written
    token = response.context["pending"]["token"]
    done = client.post(url, {"pending": token, "kind": "alerts", "file_format": "csv"})
    assert done.status_code == 302 and Alert.objects.count() == 3
    assert TransferLog.objects.get(direction="import").rows == 3
    # The waiting file is gone: the same button again imports nothing.
    again = client.post(url, {"pending": token, "kind": "alerts", "file_format": "csv"})
    assert again.status_code == 302 and Alert.objects.count() == 3
    assert TransferLog.objects.filter(direction="import").count() == 1


def test_a_waiting_file_is_its_uploaders_only(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories import log_in

    case = make_case()
    log_in(client, officer)
    url = reverse("admin:cases_transferlog_import")
    good = _dataset(ALERT_HEADERS, _alert_rows(case, 2)).export("csv").encode()
    token = client.post(url, {"kind": "alerts", "file": SimpleUploadedFile("a.csv", good)}).context[
        "pending"
    ]["token"]
    client.logout()
    log_in(client, make_staff("case-officer"))
    client.post(url, {"pending": token, "kind": "alerts", "file_format": "csv"})
    assert not Alert.objects.exists()


def test_staff_export_from_the_workspace_and_the_log_shows_it(client, officer):
    from django.urls import reverse

    from tests.factories import log_in

    make_case(title="An exported case")
    publisher = make_staff("publisher")
    log_in(client, officer)
    response = client.post(
        reverse("admin:cases_transferlog_export"), {"kind": "cases", "file_format": "xlsx"}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert _rows(response.content, "xlsx").dict[0]["title"] == "An exported case"
    client.logout()
    log_in(client, publisher)
    listed = client.get(reverse("admin:cases_transferlog_changelist"))
    assert listed.status_code == 200 and officer.username in listed.content.decode()
    entry = TransferLog.objects.get()
    page = client.get(reverse("admin:cases_transferlog_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert (
        client.post(reverse("admin:cases_transferlog_delete", args=[entry.pk])).status_code == 403
    )


def test_the_command_imports_a_large_file_as_the_page_does(officer, tmp_path):
    from django.core.management import CommandError, call_command

    case = make_case()
    rows = _alert_rows(case, 4, broken={2})
    path = tmp_path / "alerts.csv"
    path.write_text(_dataset(ALERT_HEADERS, rows).export("csv"))
    with pytest.raises(CommandError, match="Nothing was written: 1 errors"):
        call_command("import_spreadsheet", "alerts", str(path), user=officer.username)
    path.write_text(_dataset(ALERT_HEADERS, _alert_rows(case, 4)).export("csv"))
    call_command("import_spreadsheet", "alerts", str(path), user=officer.username, check=True)
    assert not Alert.objects.exists()
    call_command("import_spreadsheet", "alerts", str(path), user=officer.username)
    assert Alert.objects.count() == 4
    nobody = make_staff("case-officer")
    nobody.groups.clear()
    with pytest.raises(CommandError, match="may not add and change alerts"):
        call_command("import_spreadsheet", "alerts", str(path), user=nobody.username)


def test_a_row_without_its_external_id_is_refused_not_matched_to_any_record(officer):
    case = make_case()
    rows = _alert_rows(case, 3)
    rows[1][0] = ""
    report = transfer.run_import(officer, "alerts", _dataset(ALERT_HEADERS, rows), dry_run=False)
    assert not report.ok and report.errors[0][0] == 3 and "external_id" in report.errors[0][1]
    assert not Alert.objects.exists()


# --- Large files: 10,000 alerts in under a minute (BENCHMARKS.md) ---------------------------


def test_the_queries_of_an_alert_import_do_not_grow_with_its_rows(
    officer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case()
    ten = _dataset(ALERT_HEADERS, [[f"ten-{r[0]}", *r[1:]] for r in _alert_rows(case, 10)])
    for dry_run in (True, False):
        with CaptureQueriesContext(connection) as queries:
            assert transfer.run_import(officer, "alerts", ten, dry_run=dry_run).ok
        # Ninety more rows may not cost more than a few more queries (a batch's inserts).
        hundred = _dataset(
            ALERT_HEADERS, [[f"{dry_run}-{r[0]}", *r[1:]] for r in _alert_rows(case, 100)]
        )
        # And the inserts the database needs for more rows: SQLite takes at most so many
        # values per statement (a row of an alert has a column per language of its texts).
        inserts = 0
        for model in (Alert, Alert.history.model):
            batch = connection.ops.bulk_batch_size(model._meta.concrete_fields, [None] * 100)
            inserts += math.ceil(100 / batch) - math.ceil(10 / batch)
        with django_assert_max_num_queries(len(queries) + 4 + inserts):
            report = transfer.run_import(officer, "alerts", hundred, dry_run=dry_run)
        assert report.ok and report.new == 100
    assert Alert.objects.count() == 110


def test_imported_alerts_sort_in_their_timeline_and_keep_their_history(officer):
    case = make_case()
    before = Case.objects.get(pk=case.pk).last_public_change
    rows = _alert_rows(case, 3)
    rows[1][2] = "2011-06-01"  # known to the year: it sorts after the days of that year
    headers = [*ALERT_HEADERS, "date_precision"]
    rows = [[*row, "year" if i == 1 else "day"] for i, row in enumerate(rows)]
    report = transfer.run_import(officer, "alerts", _dataset(headers, rows), dry_run=False)
    assert report.ok, report.errors
    for alert in Alert.objects.filter(case=case):
        assert alert.sort_date == alert.natural_sort_date() is not None
        assert alert.published_at is None and alert.version == 1
        (record,) = alert.history.all()
        assert record.history_change_reason == "import" and record.history_user == officer
        assert record.history_type == "+" and record.sort_date == alert.sort_date
    assert Alert.objects.get(external_id="alert-1").sort_date == datetime.date(2011, 12, 31)
    # Nothing published: the case's last public change is where it was.
    assert Case.objects.get(pk=case.pk).last_public_change == before


def test_a_file_naming_one_new_external_id_twice_is_refused_in_words(officer):
    case = make_case()
    rows = _alert_rows(case, 4)
    rows[3][0] = rows[1][0]
    report = transfer.run_import(officer, "alerts", _dataset(ALERT_HEADERS, rows), dry_run=True)
    assert [number for number, _ in report.errors] == [5]
    assert "Another record was imported with this external id" in report.errors[0][1]


def test_every_check_constraint_of_an_alert_is_named_in_words(officer):
    case = make_case()
    rows = _alert_rows(case, 4)
    rows[0][3] = "no-such-kind"
    rows[1][6] = "rumoured"
    rows[2][2] = "1850-01-01"
    headers = [*ALERT_HEADERS, "disputed", "dispute_note"]
    rows = [[*row, "1" if i == 3 else "0", ""] for i, row in enumerate(rows)]
    report = transfer.run_import(officer, "alerts", _dataset(headers, rows), dry_run=False)
    by_row = {}
    for number, message in report.errors:
        by_row.setdefault(number, []).append(message)
    assert sorted(by_row) == [2, 3, 4, 5]
    assert any("kind" in m for m in by_row[2])
    assert any("verification" in m for m in by_row[3])
    assert any("between 1900" in m for m in by_row[4])
    assert any("Say how the sources disagree" in m for m in by_row[5])
    assert not Alert.objects.exists()


def test_the_check_constraints_read_in_python_agree_with_the_database():
    """What an import checks in Python, each check constraint as the database reads it."""
    from django.db.models import CheckConstraint

    case = make_case()
    samples = [
        Alert(case=case, date=datetime.date(2020, 1, 1), kind="arrest", title="t"),
        Alert(case=case, date=None, kind="nothing", verification="x", disputed=True),
        Alert(
            case=case,
            date=datetime.date(1800, 1, 1),
            date_precision="week",
            disputed=True,
            dispute_note="How.",
            date_qualifier="maybe",
        ),
    ]
    checked = 0
    for model in {resource._meta.model for resource in transfer.KINDS.values()}:
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            for instance in samples if model is Alert else [model()]:
                in_python = transfer.holds_in_python(constraint.condition, instance)
                if in_python is NotImplemented:
                    continue
                checked += 1
                against = instance._get_field_expression_map(meta=model._meta)
                in_database = models.Q(constraint.condition).check(against)
                assert in_python == in_database, (constraint.name, instance.__dict__)
    assert checked > 40


def test_a_row_the_database_refuses_when_written_is_named_in_words(officer, monkeypatch):
    # Someone else adds an alert of the same external id once the file's records were read:
    # the checks could not see it, the database refuses the batch, and the row is named.
    case = make_case()
    rows = _alert_rows(case, 5)
    checked = transfer.AlertResource.validate_instance

    def meanwhile(resource, instance, *args, **kwargs):
        checked(resource, instance, *args, **kwargs)
        if instance.external_id == "alert-3":
            Alert.objects.create(
                case=case, external_id="alert-3", title="t", kind="other", date=case.opened_on
            )

    monkeypatch.setattr(transfer.AlertResource, "validate_instance", meanwhile)
    report = transfer.run_import(officer, "alerts", _dataset(ALERT_HEADERS, rows), dry_run=False)
    assert report.errors == [(5, "Another record was imported with this external id.")]
    assert not report.written and not Alert.objects.exists()


def test_a_file_imported_again_reads_its_records_once(officer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case()
    for n in (10, 100):
        data = _dataset(ALERT_HEADERS, [[f"{n}-{r[0]}", *r[1:]] for r in _alert_rows(case, n)])
        assert transfer.run_import(officer, "alerts", data, dry_run=False).new == n
        if n == 10:
            with CaptureQueriesContext(connection) as queries:
                assert transfer.run_import(officer, "alerts", data, dry_run=False).unchanged == n
            continue
        with django_assert_max_num_queries(len(queries)):
            assert transfer.run_import(officer, "alerts", data, dry_run=False).unchanged == n
