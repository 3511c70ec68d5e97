"""
Russian as the observatory writes it: Django's own Russian formats, the month in the genitive
("4 марта 2026 г."), with dates also typed year first (ISO, as the calendar writes them), then
day first with dots as Russian writes them (04.03.2026), and never with a two-digit year
(cases/admin/dates.py). Month names ("4 марта 2026") are read by the staff workspace's date
field itself.
"""

DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
YEAR_MONTH_FORMAT = "F Y г."
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is how a form shows a date it holds, and what the calendar writes.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-03-04'
    "%d.%m.%Y",  # '04.03.2026'
    "%d/%m/%Y",  # '04/03/2026'
    "%d-%m-%Y",  # '04-03-2026'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
