"""
The staff workspace: the Django admin with a dashboard as its index (dashboard.py, on the site
of accounts/admin_site.py), history and revert on every record, optimistic locking on the
records staff edit together, and the appeal workflow as buttons that call cases/services.py.
"""

from . import appeals, cases, pages, recommendations, sources, transfer, vocabularies

__all__ = [
    "appeals",
    "cases",
    "pages",
    "recommendations",
    "sources",
    "transfer",
    "vocabularies",
]
