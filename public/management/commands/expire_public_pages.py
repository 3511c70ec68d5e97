from django.core.management.base import BaseCommand

from public.cache import invalidate_public_pages


class Command(BaseCommand):
    help = (
        "Make every cached public page stale, so that the next visitor gets a freshly rendered "
        "one: after changing the database by hand (SQL, a restore by other means)."
    )

    def handle(self, *args, **options):
        invalidate_public_pages()
        self.stdout.write(self.style.SUCCESS("Every cached public page is now stale."))
