"""Raw request values (query parameters, POST fields outside a form, URL
parts) turned into the values a query may use, or None.

``str.isdigit()`` accepts characters ``int()`` rejects ("²") or reads as a
number the user never typed ("١٢" is 12), and ``int()`` of a long run of
digits gives a number no database column holds; a NUL character is refused
by PostgreSQL in any text. These helpers accept only what the database can
compare, so a bad value reads as "nothing chosen" (or a 404) instead of a
server error.
"""

from __future__ import annotations

import re

# The largest primary key or integer column value of the databases the
# project runs on (PostgreSQL and SQLite: a signed 64-bit integer).
MAX_DB_INT = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(raw: object, *, minimum: int = 1, maximum: int = MAX_DB_INT) -> int | None:
    """RAW as an integer if it is one to nineteen ASCII digits (no sign, no
    spaces) with a value in MINIMUM..MAXIMUM (by default: a positive id that
    fits a 64-bit column); else None. Never raises."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _ASCII_DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        return None
    return value if minimum <= value <= maximum else None


def clean_text(raw: object) -> str | None:
    """RAW if it is a string a database text column accepts (no NUL
    character), else None. Never raises."""
    if not isinstance(raw, str) or "\x00" in raw:
        return None
    return raw
