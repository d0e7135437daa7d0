"""Words of a deadline in what a reporter wrote ("2 hours", "tonight", "esta noche"): they
raise a minor's report to the second tier, and the analyst sees them beside that priority."""

from __future__ import annotations

import re

from tipline.reports.distress import normalise

_DEADLINE = re.compile(
    r"\b(\d+\s*(hours?|hrs?|h|mins?|minutes?|horas?|minutos?)|tonight|today|by tomorrow|"
    r"midnight|deadline|countdown|clock is ticking|last chance|"
    r"esta noche|hoy|para manana|medianoche|plazo|ultima oportunidad)\b"
)


def deadline_words(description: str) -> list[str]:
    """Each deadline phrase once, in order (normalised: lower case, no accents)."""
    found = (m.group(0) for m in _DEADLINE.finditer(normalise(description or "")))
    return list(dict.fromkeys(found))
