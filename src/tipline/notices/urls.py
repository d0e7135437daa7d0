"""Reading the URLs a victim pastes: what is a web address we can name in a notice, and what is
not (another scheme, a private address, a malformed line). Nothing here touches the network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from tipline.errors import BadInput
from tipline.notices.addresses import is_public

MAX_URL_LENGTH = 2048


def N_(message: str) -> str:  # noqa: N802 - the name babel looks for
    """Marks a reason for translation; the page translates it in the victim's language."""
    return message


_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
PRIVATE = N_("a private, local or reserved address is not a place on the public web")
MAX_URLS = 500


def web_address(
    value: object,
    where: str,
    *,
    code: str,
    max_length: int = 500,
    schemes: tuple[str, ...] = ("https",),
) -> str:
    """An address a person would open, as a directory file gives it (https, with a host; a
    page a fact was read from may be `schemes=("http", "https")`). Refused as BadInput(code)."""
    shown = "https" if schemes == ("https",) else "/".join(schemes)
    text = value if isinstance(value, str) else ""
    if not text or len(text) > max_length:
        raise BadInput(
            f"{where} must be an {shown}:// address of at most {max_length} characters", code=code
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise BadInput(f"{where} must not contain spaces or control characters", code=code)
    try:
        parts = urlsplit(text)
        good = parts.scheme in schemes and bool(parts.hostname) and "@" not in parts.netloc
    except ValueError:
        good = False
    if not good:
        raise BadInput(
            f"{where} must be an {shown}:// address with a host, not {text[:80]!r}", code=code
        )
    return text


@dataclass(frozen=True)
class Parsed:
    url: str  # normalised: scheme and host lower-cased, fragment dropped
    host: str  # IDNA (punycode) form, lower case, no trailing dot


@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str


def _blocked_ip(host: str, allow_loopback: bool) -> str | None:
    try:
        public = is_public(host, allow_loopback=allow_loopback)
    except ValueError:
        return None  # a name, not an address
    return None if public else PRIVATE


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text_of(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise _Refused(N_("empty"))
    if len(text) > MAX_URL_LENGTH:
        raise _Refused(N_("longer than 2048 characters"))
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise _Refused(N_("contains spaces or control characters"))
    if "://" not in text and not text.lower().startswith(("javascript:", "data:", "file:")):
        text = f"https://{text}"  # people paste "site.com/page" without a scheme
    return text


def _host_of(parts: SplitResult, allow_loopback: bool) -> str:
    if parts.scheme.lower() not in ("http", "https"):
        raise _Refused(N_("only http and https addresses can be named in a notice"))
    if parts.username is not None or parts.password is not None:
        raise _Refused(N_("addresses with a user name or password are not accepted"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _Refused(N_("no site name in the address"))
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _Refused(N_("the site name is not valid")) from None
    # Python's IDNA codec lets some odd input through (a space inside a label, empty labels):
    # a name must be letters, digits and hyphens between dots, or an IPv6 address.
    if ":" not in host and not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*", host):
        raise _Refused(N_("the site name is not valid"))
    blocked = _blocked_ip(host, allow_loopback)
    if blocked is None and (host == "localhost" or host.endswith(_LOCAL_SUFFIXES)):
        blocked = PRIVATE
    if blocked is not None:
        raise _Refused(blocked)
    if _blocked_ip(host, allow_loopback=False) is not None:
        return host  # a loopback address the caller allowed (tests reaching their own site)
    if ":" not in host and re.fullmatch(r"0x[0-9a-f]*|[0-9]+", host.rsplit(".", 1)[-1]):
        # "0x7f.1" or "2130706433" is an address in disguise, never a site's name.
        raise _Refused(N_("not a valid web address"))
    if "." not in host and ":" not in host:
        raise _Refused(N_("the site name has no domain (like example.com)"))
    return host


def parse(raw: str, *, allow_loopback: bool = False) -> Parsed | Rejected:
    """One line as pasted -> a web address, or the reason it is not one. `allow_loopback`
    (the tests' setting) admits 127.0.0.1 and ::1, nothing else private."""
    try:
        text = _text_of(raw)
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise _Refused(N_("not a valid web address")) from None
        host = _host_of(parts, allow_loopback)
    except _Refused as refused:
        return Rejected(raw.strip()[:200], refused.reason)
    shown_host = f"[{host}]" if ":" in host else host
    netloc = shown_host if port is None else f"{shown_host}:{port}"
    url = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
    return Parsed(url, host)


def parse_all(
    lines: list[str], *, allow_loopback: bool = False
) -> tuple[list[Parsed], list[Rejected]]:
    """Each distinct address once, in the order given; a list over MAX_URLS is refused whole."""
    if len(lines) > MAX_URLS:
        raise BadInput(f"at most {MAX_URLS} addresses at once", code="too_many_urls")
    seen: set[str] = set()
    good: list[Parsed] = []
    bad: list[Rejected] = []
    for line in lines:
        result = parse(line, allow_loopback=allow_loopback)
        if isinstance(result, Rejected):
            bad.append(result)
        elif result.url not in seen:
            seen.add(result.url)
            good.append(result)
    return good, bad
