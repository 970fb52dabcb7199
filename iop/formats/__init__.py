"""Date formats per language, beside Django's own (``FORMAT_MODULE_PATH``).

Django's names (DATE_FORMAT "22. september 2026" / "22 september 2026",
SHORT_DATE_FORMAT "22.09.2026" / "2026-09-22", DATETIME_FORMAT,
SHORT_DATETIME_FORMAT) come from Django's locale modules. The names below are
our own, used as ``{{ day|date:"MEDIUM_DATE_FORMAT" }}`` or
``date_format(day, "MEDIUM_DATE_FORMAT")``; every language module defines all
of them, because a name a language lacks would be printed as a format string.

========================  ===================  ===================
name                      nb / nn              sv
========================  ===================  ===================
MEDIUM_DATE_FORMAT        22. sep 2026         22 sep 2026
MEDIUM_DATETIME_FORMAT    22. sep 14:05        22 sep 14:05
NUMERIC_DATE_FORMAT       22.9.2026            2026-09-22
NUMERIC_DATETIME_FORMAT   22.9.2026 14:05      2026-09-22 14:05
WEEKDAY_DATE_FORMAT       tir 22.09.2026       tis 22 sep 2026
WEEKDAY_DAY_MONTH_FORMAT  tirsdag 22.09.       tisdag 22/9
DAY_MONTH_FORMAT          22.09.               22/9
========================  ===================  ===================
"""

#: The names every language module defines (tests check it).
CUSTOM_FORMATS = (
    "MEDIUM_DATE_FORMAT",
    "MEDIUM_DATETIME_FORMAT",
    "NUMERIC_DATE_FORMAT",
    "NUMERIC_DATETIME_FORMAT",
    "WEEKDAY_DATE_FORMAT",
    "WEEKDAY_DAY_MONTH_FORMAT",
    "DAY_MONTH_FORMAT",
)
