"""Time between a study and its prior, as radiologists write it: "prior 2015-01-01, 3 y 2 m earlier".

Whole calendar months are counted (a month is complete when the day of the month is reached:
2010-06-30 -> 2015-01-01 is 4 y 6 m); under a month, days. Dates are Study Date (0008,0020, DA).
"""

from __future__ import annotations

import datetime as dt


def whole_months(earlier: dt.date, later: dt.date) -> int:
    """Complete calendar months from ``earlier`` to ``later`` (``later`` >= ``earlier``)."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def interval_text(prior: dt.date | None, current: dt.date | None) -> str:
    """'3 y 2 m earlier', '5 m earlier', '12 d earlier', 'same day', '2 y later' or '' when a date is unknown."""
    if prior is None or current is None:
        return ""
    if prior == current:
        return "same day"
    earlier, later = (prior, current) if prior < current else (current, prior)
    direction = "earlier" if prior < current else "later"
    months = whole_months(earlier, later)
    if months == 0:
        return f"{(later - earlier).days} d {direction}"
    years, months = divmod(months, 12)
    parts = ([f"{years} y"] if years else []) + ([f"{months} m"] if months else [])
    return f"{' '.join(parts)} {direction}"


def prior_label(prior: dt.date | None, current: dt.date | None, raw_date: str = "") -> str:
    """'prior 2015-01-01, 3 y 2 m earlier' (or 'prior, date unknown')."""
    if prior is None:
        return f"prior {raw_date}".strip() + (", date unknown" if not raw_date else "")
    interval = interval_text(prior, current)
    word = "later study" if current is not None and prior > current else "prior"
    return f"{word} {prior.isoformat()}" + (f", {interval}" if interval else "")


__all__ = ["interval_text", "prior_label", "whole_months"]
