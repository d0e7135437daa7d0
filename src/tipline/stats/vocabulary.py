"""What a published figure may be broken down by: fixed lists only, never text a reporter or an
online service typed. A platform a reporter names is counted under its canonical name when it is
one of the platforms below (spelling, case, spaces and punctuation folded: "Insta", "IG" and
"instagram " are Instagram), and as "other" otherwise: "Jenny Doe at Riverside High" typed into
the platform field must never become a label on /numbers, even with its count withheld.

The same lists guard publication a second time (`published_key`), so that a rollup written before
this rule (or by a future bug) still publishes nothing outside them.
"""

from __future__ import annotations

import re

from tipline.reports.schemas import Demand, Gender, IncidentType, Source

OTHER = "other"

# key -> (the name shown, other spellings people type). Where sextortion starts (social and chat
# apps, games), where money is asked for, and where images are posted (search, adult sites).
PLATFORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "instagram": ("Instagram", ("insta", "ig", "instagram dm", "instagram direct")),
    "facebook": ("Facebook", ("fb", "face book", "meta")),
    "messenger": ("Messenger", ("facebook messenger", "fb messenger")),
    "whatsapp": ("WhatsApp", ("whats app", "wa")),
    "snapchat": ("Snapchat", ("snap", "snap chat", "sc")),
    "tiktok": ("TikTok", ("tik tok", "tt")),
    "discord": ("Discord", ()),
    "roblox": ("Roblox", ()),
    "x": ("X (Twitter)", ("twitter", "x twitter", "x.com", "twitter.com")),
    "reddit": ("Reddit", ()),
    "youtube": ("YouTube", ("you tube", "yt")),
    "telegram": ("Telegram", ()),
    "kik": ("Kik", ()),
    "wizz": ("Wizz", ()),
    "grindr": ("Grindr", ()),
    "omegle": ("Omegle", ()),
    "twitch": ("Twitch", ()),
    "minecraft": ("Minecraft", ()),
    "fortnite": ("Fortnite", ()),
    "steam": ("Steam", ()),
    "google": ("Google Search", ("google search", "google images")),
    "bing": ("Bing", ()),
    "onlyfans": ("OnlyFans", ("only fans",)),
    "pornhub": ("Pornhub", ("porn hub",)),
    "cash_app": ("Cash App", ("cashapp", "cash app")),
    "paypal": ("PayPal", ("pay pal",)),
    "venmo": ("Venmo", ()),
    "zelle": ("Zelle", ()),
}


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


_KEYS: dict[str, str] = {}
for _key, (_name, _aliases) in PLATFORMS.items():
    for _spelling in (_key, _name, *_aliases):
        _KEYS[_fold(_spelling)] = _key


def platform_key(name: str | None) -> str | None:
    """The platform's key on the fixed list, "other" for anything else, None when none given."""
    if not name or not name.strip():
        return None
    return _KEYS.get(_fold(name), OTHER)


def slice_key(name: str | None) -> str | None:
    """The staff's platform filter (never published): a platform on the list by its key, any
    other name folded and marked, so that the directory's own sites can be told apart."""
    key = platform_key(name)
    if key is None or key != OTHER or _fold(name or "") == OTHER:
        return key
    return "~" + _fold(name or "")[:60]


def platform_name(key: str) -> str:
    return PLATFORMS[key][0] if key in PLATFORMS else key


def one_of(value: str | None, allowed: frozenset[str], *, missing: str = "unknown") -> str:
    """A stored value that should be one of a fixed set (an online service may send anything)."""
    if value is None or value == "":
        return missing
    return value if value in allowed else OTHER


INCIDENT_TYPES = frozenset(t.value for t in IncidentType)
DEMANDS = frozenset(d.value for d in Demand)
GENDERS = frozenset(g.value for g in Gender)
SOURCES = frozenset(s.value for s in Source)

# Every key each published breakdown may carry; a figure missing here publishes no keys at all.
# (victim_age and the minutes are computed bands; disposition and sextortion are computed.)
_FIXED: dict[str, frozenset[str]] = {
    "incident_type": INCIDENT_TYPES | {OTHER},
    "demand": DEMANDS | {OTHER},
    "victim_gender": GENDERS | {"unknown", OTHER},
    "platform": frozenset(PLATFORMS) | {OTHER},
    "source": SOURCES | {OTHER},
    "disposition": frozenset({"referred", "informational", "in_review"}),
    "sextortion": frozenset({"financial", "other"}),
    "takedown_feedback": frozenset({"matched", "removed", "false_positive"}),
}
_BANDED = re.compile(r"^(\d{1,6}|\d{1,3}\+|\d{1,2}-\d{1,2}|unknown)$")


def published_key(figure: str, key: str, notice_platforms: frozenset[str]) -> bool:
    """May this key be shown under this figure? `notice_platforms`: the names in the platform
    directory (an administrator's list, not a reporter's words)."""
    if figure in _FIXED:
        return key in _FIXED[figure]
    if figure in ("notices", "notices_removed"):
        return key in notice_platforms or key == OTHER
    if figure in ("victim_age", "triage_minutes", "referral_minutes", "removal_minutes", "tier"):
        return bool(_BANDED.match(key))
    return key == ""
