"""
Spanish as the observatory writes it: Django's own Spanish formats ("4 de marzo de 2026"), with
dates also typed year first (ISO, as the calendar writes them), day first with "/", "-" or ".",
and never with a two-digit year (cases/admin/dates.py). Short dates keep the month in letters
("4 mar 2026"), as in the other languages. Month names ("4 de marzo de 2026") are read by the
staff workspace's date field itself.
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is how a form shows a date it holds, and what the calendar writes.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-03-04'
    "%d/%m/%Y",  # '04/03/2026'
    "%d-%m-%Y",  # '04-03-2026'
    "%d.%m.%Y",  # '04.03.2026'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
