"""
English as the observatory writes it: day first, as in Europe, where most of its staff work.
Django's own English formats are American: "04/03/2026" would be 3 April. Dates are typed
year first (ISO, as the calendar writes them) or day first; the staff workspace refuses what
only reads month first and asks to confirm a day-first date whose day could be a month
(cases/admin/dates.py). Dates are shown in one style: "4 March 2026".
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is how a form shows a date it holds, and what the calendar writes.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-03-04'
    "%d/%m/%Y",  # '04/03/2026'
    "%d.%m.%Y",  # '04.03.2026'
    "%d-%m-%Y",  # '04-03-2026'
    "%d %B %Y",  # '4 March 2026'
    "%d %b %Y",  # '4 Mar 2026'
    "%B %d %Y",  # 'March 4 2026'
    "%B %d, %Y",  # 'March 4, 2026'
    "%b %d %Y",  # 'Mar 4 2026'
    "%b %d, %Y",  # 'Mar 4, 2026'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
