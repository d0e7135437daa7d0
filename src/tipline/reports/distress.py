"""Words of hopelessness or self-harm in a report (English and Spanish).

Until the red-flag detector's `victim_distress` lands, this lexicon marks a report
`self_harm_risk`, which puts it at the top of review and leads the reporter to crisis help. It
errs towards marking: a false mark costs an analyst a minute, a miss can cost a life. Plain
hyperbole ("I'm dying lol", "me muero de risa") is left out.
"""

from __future__ import annotations

import re
import unicodedata

_PATTERNS_EN = [
    r"\bkill(ing)? my ?self\b",
    r"\bkms\b",
    r"\bsuicid",
    r"\b(want|wanna|going|gonna|ready) to die\b",
    r"\bwish i (was|were) dead\b",
    r"\bbetter off dead\b",
    r"\bend (it all|my life|everything)\b",
    r"\btake my (own )?life\b",
    r"\b(hurt|cut|harm)(ing)? my ?self\b",
    r"\bself[- ]?harm",
    r"\bno (way out|reason to live|point (in )?living)\b",
    r"\bcan'?t (go on|take (it|this) anymore|do this anymore)\b",
    r"\bdon'?t want to (live|be alive|be here anymore)\b",
    r"\b(she|he|they) (said|says|talks? about) (she|he|they) ('?d|would|wants? to) (die|kill)",
    # A parent or a friend writes of the child: "he wants to die", "she cut herself".
    r"\b(wants?|wanted|wanting) to (die|kill (him|her|them)sel(f|ves))\b",
    r"\bkill(s|ing|ed)? (him|her|them)sel(f|ves)\b",
    r"\b(hurt|cut|harm)(s|ing)? (him|her|them)sel(f|ves)\b",
    r"\b(doesn'?t|does not) want to (live|be alive|be here anymore)\b",
    r"\btalk(s|ed|ing)? about (dying|killing (him|her|them)sel(f|ves))\b",
    r"\btalk(s|ed|ing)? about ending (it|(his|her|their) life)\b",
    r"\b(end|take)(s|ing)? (his|her|their) (own )?life\b",
    r"\bthinking (about|of) (dying|ending it|killing (my|him|her|them)sel(f|ves))\b",
]
_PATTERNS_ES = [
    r"\bquiero morir(me)?\b",
    r"\bme quiero morir\b",
    r"\bmatarme\b",
    r"\bme voy a matar\b",
    r"\bsuicid",
    r"\bquitarme la vida\b",
    r"\bacabar con todo\b",
    r"\bacabar con mi vida\b",
    r"\bno hay salida\b",
    r"\bno (puedo|aguanto) mas\b",
    r"\bhacerme dano\b",
    r"\bcortarme\b",
    r"\bno quiero (vivir|seguir viviendo|estar aqui)\b",
    r"\bmejor muert[oa]\b",
    # De otra persona, como lo escribe una madre o un amigo: "quiere morirse", "se corta".
    r"\b(se )?quiere (morir(se)?|matarse)\b",
    r"\bse (va|quiere) a? ?matar\b",
    r"\bno quiere (vivir|seguir viviendo|estar aqui)\b",
    r"\bquitarse la vida\b",
    r"\bse (corta|corto|ha cortado) (los brazos|las piernas|las munecas|la piel)\b",
    r"\bhacerse dano\b",
    # "se corta" alone (self-harm), not "se corta el pelo".
    r"\bse (corta|esta cortando|ha cortado|corto)\b(?! (el|la|los|las|un|una)\b)",
    r"\bhabla de (morir(se)?|matarse|quitarse la vida)\b",
]
_HYPERBOLE = re.compile(
    r"\b(dying|dead|die) (lol|lmao|of (laughter|embarrassment))\b|\bme muero de (risa|verguenza)\b"
)
_LEXICON = re.compile("|".join(f"(?:{p})" for p in _PATTERNS_EN + _PATTERNS_ES))


def normalise(text: str) -> str:
    """Lower case, accents off, curly quotes straight, runs of space folded."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def distress_phrases(text: str) -> list[str]:
    """The phrases that show hopelessness or self-harm, as found (normalised)."""
    clean = _HYPERBOLE.sub(" ", normalise(text))
    return [m.group(0) for m in _LEXICON.finditer(clean)]


def shows_distress(text: str) -> bool:
    return bool(distress_phrases(text))
