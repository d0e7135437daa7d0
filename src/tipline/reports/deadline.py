"""Deadlines in what a reporter wrote, read by meaning in English and Spanish: a time or a day
ahead by which the child must pay or comply ("until tomorrow", "hasta mañana", "2 hrs", "by
9pm", "antes del viernes", "the clock is ticking"). They raise a minor's sextortion report to the
second tier, and the analyst sees them beside that priority.

Four kinds of phrase, each on text normalised as distress.normalise does (lower case, no
accents): a duration ahead ("two hours", "media hora"; not "two hours ago" nor "hace dos
horas"), a day or part of a day ahead ("tonight", "tomorrow", "by friday", "end of the day",
"esta noche", "para el lunes"), a clock time something must happen by ("by 9pm", "before 10",
"a las 8", "antes de las 11"), and the words of urgency ("deadline", "countdown", "se te acaba el
tiempo"). A day word alone is often routine ("tomorrow I have a test"): it counts when a word of
limit stands before it ("until", "by", "before", "hasta", "antes de", "para") or the day is
tonight or midnight, which reports use almost only for threats.
"""

from __future__ import annotations

import re

from tipline.reports.distress import normalise

_WORD_NUMBER = (
    r"a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty[ -]?five|twenty[ -]?four|forty[ -]?eight|seventy[ -]?two|half an?|a half|"
    r"a couple(?: of)?|a few|"
    r"un|una|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte|"
    r"treinta|cuarenta y cinco|veinticuatro|cuarenta y ocho|setenta y dos|media|un par de|unas?"
)
_UNIT = (
    r"hours?|hrs?|h|minutes?|mins?|m|days?|d|"
    r"horas?|hs|minutos?|dias?"
)
# "2 hours", "24h", "media hora", "half an hour", "48 hrs". A word number needs a space before
# its unit ("a hora" is a duration, "ahora" is "now").
_DURATION = re.compile(rf"\b(?:\d{{1,3}}\s*|(?:{_WORD_NUMBER})\s+)(?:more\s+|mas\s+)?(?:{_UNIT})\b")
# What makes a duration past or ongoing rather than ahead.
_PAST_BEFORE = re.compile(r"\b(?:hace|for|since|last|past|durante|desde hace|llevo|lleva)\s+$")
_PAST_AFTER = re.compile(r"^\s*(?:ago|before|earlier|antes|atras|seguid[oa]s)\b")

_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"lunes|martes|miercoles|jueves|viernes|sabado|domingo"
)
_DAY_AHEAD = (
    rf"tomorrow|tmrw|tmr|tomoz|the morning|morning|the weekend|the end of the day|"
    rf"end of (?:the )?day|eod|(?:this|next) (?:week|weekend)|(?:{_WEEKDAYS})|"
    r"manana|pasado manana|la manana|el fin de semana|fin de semana|el final del dia|"
    r"fin del dia|el lunes|el martes|el miercoles|el jueves|el viernes|el sabado|el domingo|"
    r"la noche|el anochecer|today|hoy|noon|midday|sunrise|dawn|sunset|morning|"
    r"mediodia|el mediodia|amanecer|el amanecer|la madrugada|midnight|midnite|medianoche|"
    r"(?:the )?end of (?:the )?week|(?:el )?fin(?:al)? de (?:la )?semana|(?:el )?finde|"
    r"tomorrow night|manana por la noche|"
    r"(?:el )?proximo (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)|"
    r"primera hora(?: de la manana)?"
)
_FIRST_THING = r"a primera hora(?: de la manana)?|first thing (?:in the morning|tomorrow)"
_LIMIT = (
    r"until|till|til|by|before|b4|no later than|within|any longer than|longer than|"
    r"hasta|antes de(?:l)?|antes del|para(?: el| la)?|a mas tardar|como maximo|como tarde|"
    r"mas alla de|antes d"
)
# "until tomorrow", "by friday", "before school tomorrow", "till noon tomorrow", "hasta manana",
# "antes del viernes", "de aqui a la noche"; and the day first: "tomorrow before school",
# "manana antes de ir al colegio".
_LIMITED_DAY = re.compile(
    rf"\b(?:(?:{_LIMIT}|de aqui a)\s+(?:\w+\s+){{0,3}}?(?:{_DAY_AHEAD})|"
    rf"(?:{_DAY_AHEAD})\s+(?:{_LIMIT})\b)\b"
)
# Days that reports use almost only for threats, limit word or not.
_THREAT_DAY = re.compile(
    r"\b(?:tonight|2nite|tonite|end of (?:the )?day|eod|"
    r"esta noche|hoy mismo|antes de que acabe el dia|al final del dia|"
    r"(?:today|hoy)\s+(?:or|o)\b|" + _FIRST_THING + r")\b"
)
# "by 9pm", "before 10", "antes de las 11", "hasta las 8"; a bare time ("at 8pm", "a las 3")
# is often when something happened, so it counts only when a threat follows ("at 9pm or ...").
_TIME = r"\d{1,2}(?::\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock|hrs|h))?"
_CLOCK = re.compile(
    rf"\b(?:(?:by|before|until|till|no later than)\s+{_TIME}|"
    rf"(?:antes de|hasta|para)\s+las\s+{_TIME}(?:\s*de la (?:noche|manana|tarde))?|"
    rf"(?:at\s+|a las\s+){_TIME}(?:\s*de la (?:noche|manana|tarde))?,?\s+(?:or|o|si no)\b)"
)
_URGENCY = re.compile(
    r"\b(?:deadline|countdown|count down|clock is ticking|time is running out|running out of time|"
    r"last chance|final warning|asap|tick tock|time is (?:almost )?up|"
    r"plazo|cuenta regresiva|se (?:te|le) acaba el tiempo|ultima oportunidad|"
    r"el tiempo corre|ultimo aviso|tic tac|se (?:te|le) acaba el plazo|ya mismo|ahora mismo o|"
    r"(?:no|poco) (?:te|le) queda tiempo|"
    r"(?:si|if)\s+(?:a las|para las|at|by)\s+(?:\d{1,2}|una|dos|tres|cuatro|cinco|seis|siete|"
    r"ocho|nueve|diez|once|doce))\b"
)


def _durations_ahead(text: str) -> list[str]:
    found = []
    for match in _DURATION.finditer(text):
        before, after = text[max(0, match.start() - 20) : match.start()], text[match.end() :]
        if _PAST_BEFORE.search(before) or _PAST_AFTER.match(after):
            continue
        phrase = match.group(0)
        # A bare article with a unit is not a duration ("a m", "un d"): keep real ones only.
        if re.fullmatch(r"(?:a|an|un|una)\s*(?:m|d|h)", phrase):
            continue
        found.append(phrase)
    return found


def deadline_words(description: str) -> list[str]:
    """Each deadline phrase once, in the order found (normalised: lower case, no accents)."""
    text = normalise(description or "")
    found = [
        *_durations_ahead(text),
        *(m.group(0) for m in _LIMITED_DAY.finditer(text)),
        *(m.group(0) for m in _THREAT_DAY.finditer(text)),
        *(m.group(0) for m in _CLOCK.finditer(text)),
        *(m.group(0) for m in _URGENCY.finditer(text)),
    ]
    return list(dict.fromkeys(found))
