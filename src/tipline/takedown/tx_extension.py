"""tipline's hash list for python-threatexchange and HMA: a SignalExchangeAPI over the change feed.

A platform adds it with `threatexchange config extensions add tipline.takedown.tx_extension`
(HMA: list `TiplineSignalExchangeAPI` in its config's exchange types). It runs on the platform's
machine and talks to a tipline server over HTTP only, so it imports nothing of the server: the
standard library, requests (which threatexchange itself depends on) and threatexchange.

The feed (`GET /api/v1/hashlist/changes`) is a sequence of adds and removes keyed by list entry.
Records are kept by entry id, not by hash value: two victims may list the same image, and one
withdrawing must not take the other's hash off the list. A remove is a tombstone record that
`fetch_value_merge` turns into a deletion, so `threatexchange match` stops matching a withdrawn
hash after the next fetch. (StopNCII's exchange never deletes a withdrawn hash; this one must.)
"""

# No `from __future__ import annotations`: threatexchange's CLI builds its `config collab edit`
# flags from the collaboration dataclass's field types, and reads them as classes.

import json
import logging
import typing as t
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import ip_address
from urllib.parse import urlsplit

import requests
from threatexchange.exchanges import auth, signal_exchange_api
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.signal_base import SignalType

log = logging.getLogger(__name__)

API_NAME = "tipline"
CHANGES_PATH = "/api/v1/hashlist/changes"
MATCH_PATH = "/api/v1/hashlist/match"
FEEDBACK_PATH = "/api/v1/hashlist/feedback"
# The server's largest page (takedown.service.MAX_FEED_PAGE is 5000): fewer round trips on a
# first fetch, and still a small response.
PAGE_SIZE = 1000
# (connect, read) seconds.
TIMEOUT = (10, 120)
# tipline's API keys read `tpl_<prefix>_<secret>` (tipline.auth.service, not imported here).
KEY_PREFIX = "tpl_"

# tipline's signal types, by the name of the threatexchange SignalType they become. Looked up by
# name in the types the caller supports, so vPDQ is there only when the platform has added
# threatexchange's vpdq extension (it needs the `vpdq` package), as NCMEC's exchange does for
# PhotoDNA.
# - md5: tipline lists the MD5 of every file, image or video, and the feed does not say which.
#   All of them become video_md5. threatexchange has no image MD5 type, and only videos are hashed
#   against video_md5, so an image's MD5 in that index can never match anything: it is dead
#   weight, not a false match, and no video is missed.
# - sha256 is left out: the take-it-down page lists every file by MD5 as well as SHA-256, and the
#   MD5 already finds every exact copy of a video (threatexchange's video_sha256 would add no
#   match); the issue scopes the extension to PDQ and video MD5.
TX_SIGNAL_NAMES = {"pdq": "pdq", "md5": "video_md5", "vpdq": "vpdq"}


class TiplineAPIError(Exception):
    """The server answered with an error, or with something other than what its API documents."""


def check_server_url(url: str) -> str:
    """The base URL without a trailing slash. The API key is a bearer secret: it travels over
    https, or over plain http only to this machine (a local server, a test)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"server_url must be an https:// URL, not {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("server_url must use https:// (plain http only to localhost)")
    if parts.query or parts.fragment:
        raise ValueError("server_url is the server's base URL, without a query")
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


# Configuration ---------------------------------------------------------------------------------


@dataclass
class _TiplineCollabConfigRequiredFields:
    server_url: str = field(
        metadata={"help": "the tipline server's base URL, e.g. https://tipline.example.org"}
    )


@dataclass
class TiplineCollabConfig(CollaborationConfigWithDefaults, _TiplineCollabConfigRequiredFields):
    """A collaboration is one tipline server. The API key is not here: collab configs are stored
    in plain files (~/.threatexchange) and HMA's database; see TiplineCredentials."""

    api: str = field(init=False, default=API_NAME)

    def __post_init__(self) -> None:
        # Refused when the collaboration is created (HMA answers 400), not at the first fetch.
        self.server_url = check_server_url(self.server_url)


@dataclass
class TiplineCredentials(auth.CredentialHelper):
    """The platform organisation's API key (`tipline orgs add NAME --kind platform`)."""

    ENV_VARIABLE: t.ClassVar[str] = "TX_TIPLINE_API_KEY"
    FILE_NAME: t.ClassVar[str] = "~/.tx_tipline_api_key"

    # repr=False: the library logs credential objects when parsing fails.
    api_key: str = field(repr=False, metadata={"help": "tipline API key of a platform"})

    @classmethod
    def _from_str(cls, s: str) -> "TiplineCredentials":
        return cls(s.strip())

    def _are_valid(self) -> bool:
        return self.api_key.startswith(KEY_PREFIX) and not any(c.isspace() for c in self.api_key)


# What is fetched and stored -------------------------------------------------------------------


@dataclass
class TiplineCheckpoint(state.FetchCheckpointBase):
    """The feed's cursor: the next fetch asks for changes after it. Never stale: the server keeps
    every change, so a platform that was away for months still catches up from its cursor."""

    cursor: str
    # Epoch seconds of the newest change seen; only ever grows (the library refuses a rewind).
    last_change_at: int = 0

    def get_progress_timestamp(self) -> int | None:
        return self.last_change_at or None


@dataclass
class TiplineHashEntry:
    """One entry of a tipline hash list as the feed last described it."""

    entry_id: int
    signal_type: str
    value: str
    list_name: str
    added_at: str
    # A remove in the feed: the victim withdrew, or reviewers quarantined the hash.
    removed: bool = False

    @classmethod
    def from_change(cls, change: t.Mapping[str, t.Any]) -> "TiplineHashEntry":
        return cls(
            entry_id=int(change["entry_id"]),
            signal_type=str(change["signal_type"]),
            value=str(change["value"]),
            list_name=str(change["list"]),
            added_at=str(change["added_at"]),
            removed=change["action"] == "remove",
        )


@dataclass
class TiplineSignalMetadata(state.FetchedSignalMetadata):
    """The list entries that carry one hash: entry id -> list name."""

    entries: dict[int, str] = field(default_factory=dict)

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        # Only the victim has seen the image; the hash was made on their own device. That is a
        # lead to confirm before acting, as StopNCII's self-submitted hashes are, not a verdict.
        return [
            state.SignalOpinion(False, state.SignalOpinionCategory.INVESTIGATION_SEED, {name})
            for name in self.entries.values()
        ]


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _tx_vpdq(value: str) -> str:
    """tipline's vPDQ (`frame,quality,pdq,seconds` lines) in threatexchange's form (a JSON list
    of `pdq,quality,seconds`)."""
    features = []
    for line in value.splitlines():
        if line.strip():
            _frame, quality, pdq, seconds = line.strip().split(",")
            features.append(f"{pdq},{int(quality)},{float(seconds):.3f}")
    return json.dumps(features)


def as_signal(
    entry: TiplineHashEntry, by_name: t.Mapping[str, type[SignalType]]
) -> tuple[type[SignalType], str] | None:
    """The threatexchange signal type and value of a list entry, or None where there is none."""
    signal_type = by_name.get(TX_SIGNAL_NAMES.get(entry.signal_type, ""))
    if signal_type is None:
        return None
    try:
        value = _tx_vpdq(entry.value) if entry.signal_type == "vpdq" else entry.value
        return signal_type, signal_type.validate_signal_str(value)
    except ValueError:
        log.warning("tipline entry %d is not a valid %s", entry.entry_id, signal_type.get_name())
        return None


# The exchange ---------------------------------------------------------------------------------


class TiplineSignalExchangeAPI(
    auth.SignalExchangeWithAuth[TiplineCollabConfig, TiplineCredentials],
    signal_exchange_api.SignalExchangeAPI[
        TiplineCollabConfig,
        TiplineCheckpoint,
        TiplineSignalMetadata,
        int,
        TiplineHashEntry,
    ],
):
    """tipline's take-down hash list: PDQ, video MD5, and vPDQ where the library has it.

    Fetch follows the change feed from the stored cursor until `has_more` is false. An opinion
    (`threatexchange label`) goes back to tipline as feedback: a true positive is `matched`, a
    false positive `false_positive`; the victim's case page counts the platforms that matched.
    """

    def __init__(self, collab: TiplineCollabConfig, api_key: str) -> None:
        super().__init__()
        self.collab = collab
        self.base_url = check_server_url(collab.server_url)
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {api_key}", "User-Agent": "tipline-tx-extension"}
        )

    @classmethod
    def for_collab(
        cls,
        collab: TiplineCollabConfig,
        credentials: TiplineCredentials | None = None,
    ) -> "TiplineSignalExchangeAPI":
        credentials = credentials or TiplineCredentials.get(cls)
        return cls(collab, credentials.api_key)

    @classmethod
    def get_name(cls) -> str:
        return API_NAME

    @staticmethod
    def get_config_cls() -> type[TiplineCollabConfig]:
        return TiplineCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[TiplineCheckpoint]:
        return TiplineCheckpoint

    @staticmethod
    def get_record_cls() -> type[TiplineSignalMetadata]:
        return TiplineSignalMetadata

    @staticmethod
    def get_credential_cls() -> type[TiplineCredentials]:
        return TiplineCredentials

    # HTTP --------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        response = self._session.request(method, self.base_url + path, timeout=TIMEOUT, **kwargs)
        if response.status_code in (401, 403):
            raise auth.SignalExchangeAPIInvalidAuthException(
                type(self), f"{self.base_url} refused the API key ({response.status_code})"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not response.ok:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            message = error.get("message") if isinstance(error, dict) else None
            raise TiplineAPIError(
                f"{method} {path}: {response.status_code} {message or response.reason}"
            )
        if not isinstance(body, dict):
            raise TiplineAPIError(f"{method} {path}: the answer is not a JSON object")
        return body

    # Fetch -------------------------------------------------------------------------------------

    def fetch_iter(
        self,
        _supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: TiplineCheckpoint | None,
    ) -> t.Iterator[state.FetchDelta[int, TiplineHashEntry, TiplineCheckpoint]]:
        cursor = checkpoint.cursor if checkpoint else ""
        newest = checkpoint.last_change_at if checkpoint else 0
        while True:
            page = self._call("GET", CHANGES_PATH, params={"cursor": cursor, "limit": PAGE_SIZE})
            updates: dict[int, TiplineHashEntry | None] = {}
            try:
                for change in page["changes"]:
                    entry = TiplineHashEntry.from_change(change)
                    # In feed order, so an entry's later change replaces its earlier one.
                    updates[entry.entry_id] = entry
                    newest = max(newest, _epoch(change["at"]))
                cursor, more = str(page["next_cursor"]), bool(page["has_more"])
            except (KeyError, TypeError, ValueError) as exc:
                raise TiplineAPIError(
                    f"the change feed is not in the expected shape: {exc}"
                ) from exc
            yield state.FetchDelta(updates, TiplineCheckpoint(cursor, newest))
            if not more:
                return

    @classmethod
    def fetch_value_merge(
        cls, old: TiplineHashEntry | None, new: TiplineHashEntry | None
    ) -> TiplineHashEntry | None:
        # None deletes the record: a withdrawn or quarantined hash leaves the platform's copy.
        if new is None or new.removed:
            return None
        return new

    @classmethod
    def naive_convert_to_signal_type(
        cls,
        signal_types: t.Sequence[type[SignalType]],
        collab: TiplineCollabConfig,
        fetched: t.Mapping[int, TiplineHashEntry],
    ) -> dict[type[SignalType], dict[str, TiplineSignalMetadata]]:
        by_name = {st.get_name(): st for st in signal_types}
        ret: dict[type[SignalType], dict[str, TiplineSignalMetadata]] = {}
        for entry in fetched.values():
            # HMA converts each record as it arrives, tombstones included.
            if entry.removed:
                continue
            converted = as_signal(entry, by_name)
            if converted is None:
                continue
            signal_type, value = converted
            metadata = ret.setdefault(signal_type, {}).setdefault(value, TiplineSignalMetadata())
            metadata.entries[entry.entry_id] = entry.list_name
        return ret

    # Feedback ----------------------------------------------------------------------------------

    def report_opinion(
        self,
        s_type: type[SignalType],
        signal: str,
        opinion: state.SignalOpinion,
    ) -> None:
        """Tell tipline what a match was: the entries the hash matches on the server (at the
        list's own threshold) get `matched` or `false_positive`. An investigation seed has no
        tipline outcome, nor has a signal type other than PDQ and video MD5."""
        outcomes = {
            state.SignalOpinionCategory.POSITIVE_CLASS: "matched",
            state.SignalOpinionCategory.NEGATIVE_CLASS: "false_positive",
        }
        tipline_types = {"pdq": "pdq", "video_md5": "md5"}
        outcome = outcomes.get(opinion.category)
        tipline_type = tipline_types.get(s_type.get_name())
        if outcome is None or tipline_type is None:
            raise NotImplementedError
        found = self._call(
            "POST",
            MATCH_PATH,
            json={
                "hashes": [{"type": tipline_type, "value": signal.strip()}],
                "transforms": False,
            },
        )
        entry_ids = sorted({int(m["entry_id"]) for m in found.get("matches", [])})
        if not entry_ids:
            # Withdrawn since the last fetch, or never listed: nothing to count for a victim.
            log.warning("no tipline list entry matches this %s hash", s_type.get_name())
            return
        note = ",".join(sorted(opinion.tags))[:500]
        self._call(
            "POST",
            FEEDBACK_PATH,
            json={
                "feedback": [
                    {"entry_id": entry_id, "outcome": outcome, "note": note}
                    for entry_id in entry_ids
                ]
            },
        )


TX_MANIFEST = ThreatExchangeExtensionManifest(apis=(TiplineSignalExchangeAPI,))
