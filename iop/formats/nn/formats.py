"""Norwegian nynorsk date formats beside Django's (see ``iop.formats``)."""

MEDIUM_DATE_FORMAT = "j. b Y"
MEDIUM_DATETIME_FORMAT = "j. b H:i"
NUMERIC_DATE_FORMAT = "j.n.Y"
NUMERIC_DATETIME_FORMAT = "j.n.Y H:i"
WEEKDAY_DATE_FORMAT = "D d.m.Y"
WEEKDAY_DAY_MONTH_FORMAT = "l d.m."
DAY_MONTH_FORMAT = "d.m."
