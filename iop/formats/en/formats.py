"""English date formats beside Django's (see ``iop.formats``): day before month,
also in the short numeric form ("22/09/2026"), as in British English."""

MEDIUM_DATE_FORMAT = "j M Y"
MEDIUM_DATETIME_FORMAT = "j M H:i"
NUMERIC_DATE_FORMAT = "Y-m-d"
NUMERIC_DATETIME_FORMAT = "Y-m-d H:i"
WEEKDAY_DATE_FORMAT = "D j M Y"
WEEKDAY_DAY_MONTH_FORMAT = "l j M"
DAY_MONTH_FORMAT = "j M"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
