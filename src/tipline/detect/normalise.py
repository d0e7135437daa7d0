"""Text as people really chat, brought to one form the patterns can read.

Look-alike letters (Cyrillic, Greek, fullwidth), accents, emoji, leetspeak ("nud3s"), spacing
tricks ("n u d e s", "n.u.d.e.s"), stretched words ("pleeease") and common chat abbreviations
("u", "ur", "pls"; "q", "xq" in Spanish) are all undone. Numbers stay numbers: an age or an amount
is evidence too.
"""

# ruff: noqa: RUF001, RUF003 - the look-alike letters are what this module undoes
from __future__ import annotations

import re
import unicodedata

# Letters that look Latin but are not: a filter that reads only ASCII misses "nudеs" with a
# Cyrillic "е". Fullwidth forms are handled by NFKC.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ո": "n", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ɑ": "a", "ɡ": "g", "ı": "i", "ⅰ": "i", "ℓ": "l",
}  # fmt: skip
_ACCENTS = {
    "á": "a", "à": "a", "â": "a", "ä": "a", "ã": "a", "é": "e", "è": "e", "ê": "e", "ë": "e",
    "í": "i", "ì": "i", "î": "i", "ï": "i", "ó": "o", "ò": "o", "ô": "o", "ö": "o", "õ": "o",
    "ú": "u", "ù": "u", "û": "u", "ü": "u", "ñ": "n", "ç": "c", "¿": " ", "¡": " ",
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
}  # fmt: skip
# Emoji that carry meaning here, as words; the rest are dropped to spaces later.
_EMOJI = {
    "🍑": " sexual ", "🍆": " sexual ", "💦": " sexual ", "👅": " sexual ", "🔞": " sexual ",
    "😈": " naughty ", "💰": " money ", "💵": " money ", "💸": " money ", "🤑": " money ",
    "📸": " pic ", "📷": " pic ", "🤳": " pic ", "😭": " crying ", "😢": " crying ",
    "💀": " lol ", "😂": " lol ", "🤣": " lol ", "😆": " lol ", "❤": " love ", "😍": " love ",
    "😘": " love ", "🥰": " love ", "💕": " love ", "🔪": " knife ", "🔒": " secret ",
    "🤫": " secret ", "👀": " ",
}  # fmt: skip
_TABLE = str.maketrans({**_CONFUSABLES, **_ACCENTS, **_EMOJI})

# Single characters with separators between them, four or more: "n u d e s", "s.e.n.d".
_SPACED = re.compile(r"(?<![\w])(?:\w[ .\-_*·•|/]+){3,}\w(?![\w])")
_SEPARATORS = re.compile(r"[ .\-_*·•|/]+")
# A leet digit or symbol between letters ("nud3s", "s3nd", "h0t"), or $/@ starting a word
# ("$ex"). Whole numbers and amounts ("14", "$200") are left alone.
# A digit inside a word, or one closing a word of two letters or more ("lik3"), is a letter.
# "!" between letters is an i ("p!c"); "m3", "t0" close a word of one letter; "1'll" is "i'll".
_LEET = re.compile(
    r"(?<=[a-z])[013457@$!](?=[a-z])|(?<=[a-z]{2})[013457](?![\w$])|(?<=\b[a-z])[03](?![\w$])|"
    r"\b1(?='(?:ll|m|d|ve)\b)"
)
_LEET_MAP = {
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
}  # fmt: skip
# "w/o" and "w/" before the separators split them: "without", "with".
_WITH = re.compile(r"\bw/o\b|\bw/(?=\s)")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_ABBREVIATIONS = {
    "u": "you", "ur": "your", "r": "are", "yu": "you", "pls": "please",
    "plz": "please", "plss": "please", "rn": "right now", "bc": "because", "cuz": "because",
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "lemme": "let me",
    "gimme": "give me", "tryna": "trying to", "ppl": "people", "msg": "message",
    "abt": "about", "bout": "about", "tho": "though", "thx": "thanks", "ty": "thanks",
    "pic": "pic", "pix": "pics", "pik": "pic", "piks": "pics", "noods": "nudes",
    "noodz": "nudes", "nudez": "nudes", "newds": "nudes", "nudies": "nudes", "nudie": "nude",
    "nood": "nude", "vid": "video", "vids": "videos", "insta": "instagram", "ig": "instagram",
    "sc": "snapchat", "snap": "snapchat", "tele": "telegram", "tg": "telegram",
    "bf": "boyfriend", "gf": "girlfriend", "yo": "yo", "idc": "i do not care",
    "dont": "do not", "don't": "do not", "won't": "will not", "wont": "will not",
    "can't": "can not", "cant": "can not", "im": "i am", "i'm": "i am", "ill": "i will",
    "i'll": "i will", "youre": "you are", "you're": "you are", "ive": "i have",
    "i've": "i have", "didnt": "did not", "didn't": "did not", "isnt": "is not",
    "q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque",
    "tb": "tambien", "tmb": "tambien", "xfa": "por favor", "porfa": "por favor",
    "pasame": "pasame", "mandame": "mandame", "fotitos": "fotos", "fotito": "foto",
    "snd": "send", "sned": "send",
}  # fmt: skip
_ABBREV = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, _ABBREVIATIONS)) + r")(?![\w'])")
_JUNK = re.compile(r"[^\w\s$%'@#]+")
# Punctuation splits words the way spaces do, except a point inside a number ("$3.50").
_PUNCT = re.compile(r"(?<!\d)[.,;:!?]|[.,;:!?](?!\d)")
_SPACED_PIC = re.compile(r"\bp i c( s)?\b")
_SPACES = re.compile(r"\s+")


# Words a spacing trick hides; a lone "a" or "i" spaced out beside one is split off again
# ("s e n d a pic" is "send a pic", not "senda pic").
_HIDDEN = frozenset(
    [
        "send",
        "nudes",
        "nude",
        "pic",
        "pics",
        "snap",
        "money",
        "naked",
        "sexy",
        "secret",
        "followers",
        "password",
        "video",
        "post",
        "leak",
        "show",
        "trade",
        "cash",
        "pack",
        "fotos",
        "desnuda",
        "mandame",
    ]
)


# A wider gap between spaced letters is a gap between words: "s e n d   n u d e s".
_WORD_GAP = re.compile(r"(?:\s{2,}|\s*[.\-_*·•|/]\s*[.\-_*·•|/]\s*)")


def _unspace(match: re.Match[str]) -> str:
    text = match.group(0)
    # Letters joined by dots with spaces between groups ("s.e.n.d n.u.d.e.s"): the spaces are
    # the word gaps. Letters joined by spaces: a wider gap is.
    dotted = " " in text and any(c in text for c in ".-_*·•|/")
    groups = [w for w in (text.split() if dotted else _WORD_GAP.split(text)) if w.strip()]
    words: list[str] = []
    lone = False  # whether the last word is letters that each stood alone
    for group in groups:
        word = _SEPARATORS.sub("", group)
        # Letters standing alone between wide gaps are still one spaced word ("a  b  c"): left
        # apart, the next pass would join them, and normalising must settle in one.
        if len(word) == 1 and lone:
            words[-1] += word
        else:
            words.append(word)
            lone = len(word) == 1
    return " ".join(_join(w) for w in words)


def _join(joined: str) -> str:
    if joined not in _HIDDEN:
        if joined[:-1] in _HIDDEN and joined[-1] in "ai":
            return f"{joined[:-1]} {joined[-1]}"
        if joined[1:] in _HIDDEN and joined[0] in "ai":
            return f"{joined[0]} {joined[1:]}"
    return joined


def normalise(text: str) -> str:
    """One lower-case, ASCII-ish line, every chat trick above undone."""
    return normalise_all(text)[0]


def normalise_all(text: str) -> list[str]:
    """The normal form and, when a word was stretched, a second reading of it: "nuuudes" is
    "nudes" (a run cut to one letter) but "seeee" is "see" and "schoool" "school" (cut to
    two)."""
    first = _normalise(text, "\\1")
    if not _STRETCH.search(text.lower()):
        return [first]
    second = _normalise(text, "\\1\\1")
    return [first] if second == first else [first, second]


def _unleet(match: re.Match[str]) -> str:
    return _LEET_MAP[match.group(0)]


def _normalise(text: str, stretch: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.lower().translate(_TABLE)
    text = _WITH.sub(lambda m: "without" if m.group(0) == "w/o" else "with", text)
    text = _SPACED.sub(_unspace, text)
    text = _SPACED_PIC.sub(lambda m: "pics" if m.group(1) else "pic", text)
    # Until it settles: undoing one leet character can put a letter beside the next ("a0@a").
    while (unleet := _LEET.sub(_unleet, text)) != text:
        text = unleet
    text = _STRETCH.sub(stretch, text)
    text = _ABBREV.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)
    text = _PUNCT.sub(" ", text)
    text = _JUNK.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
