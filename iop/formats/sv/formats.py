"""Swedish date formats beside Django's (see ``iop.formats``).

Swedish writes no dot after the day ("22 sep 2026") and numeric dates the ISO
way ("2026-09-22", as Django's SHORT_DATE_FORMAT for sv); a day and month
alone as "22/9".
"""

MEDIUM_DATE_FORMAT = "j b Y"
MEDIUM_DATETIME_FORMAT = "j b H:i"
NUMERIC_DATE_FORMAT = "Y-m-d"
NUMERIC_DATETIME_FORMAT = "Y-m-d H:i"
WEEKDAY_DATE_FORMAT = "D j b Y"
WEEKDAY_DAY_MONTH_FORMAT = "l j/n"
DAY_MONTH_FORMAT = "j/n"
