from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from ops.generator import (
    BENCHMARK_CASE_SLUG,
    MAX_ALERTS_PER_CASE,
    MAX_CASES,
    Generator,
    holds_generated_data,
)
from ops.timeouts import lift_statement_timeout
from public.cache import invalidate_public_pages


class Command(BaseCommand):
    help = (
        "Fill the database with a realistic generated observatory: defenders with aliases, "
        "cases, alerts with sources and citations, appeal chains, recommendations with their "
        "history. The same seed gives the same data. Refuses a database that already holds "
        "generated data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to create.")
        parser.add_argument(
            "--alerts-per-case",
            type=int,
            default=10,
            help="The average number of alerts in a case's timeline (default 10).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the random choices (default 1)."
        )

    def handle(self, *args, cases, alerts_per_case, seed, verbosity, **options):
        if not 1 <= cases <= MAX_CASES:
            raise CommandError(f"--cases must be between 1 and {MAX_CASES:,}, not {cases}.")
        if not 1 <= alerts_per_case <= MAX_ALERTS_PER_CASE:
            raise CommandError(
                f"--alerts-per-case must be between 1 and {MAX_ALERTS_PER_CASE}, "
                f"not {alerts_per_case}."
            )
        # Each chunk of 1,000 cases is one COPY per table, and the end refreshes every status.
        lift_statement_timeout()
        if holds_generated_data():
            # Generated slugs and codes would collide with the first run's: start afresh instead.
            raise CommandError(
                f"This database already holds generated data (the case “{BENCHMARK_CASE_SLUG}” "
                "exists). Generate into an empty database, or flush this one first."
            )
        with tqdm(
            total=cases, unit="case", disable=True if verbosity == 0 else None, smoothing=0.1
        ) as bar:
            generator = Generator(
                cases=cases, alerts_per_case=alerts_per_case, seed=seed, progress=bar.update
            )
            try:
                summary = generator.run()
            except IntegrityError as error:
                raise CommandError(
                    f"The generated data collides with records already in the database: {error}"
                ) from error
        # bulk_create sends no signals: the cached public pages learn of the data here.
        invalidate_public_pages()
        if verbosity:
            self.stdout.write(f"Created {summary}.")
