"""The audit log's seal: a key kept outside the database, and anchors written outside it.

Whoever can write to the database (a leaked TIPLINE_DATABASE_URL, a database administrator,
an injection) could otherwise rewrite an event and recompute every hash after it, or cut events
off the end and move `audit_head` back: either passes a check that reads only the database.
Two files in TIPLINE_HOME, beside the master key, close that:

- `audit.key` (32 random bytes, mode 0600). Chain hashes are HMAC-SHA256 under a key derived
  from it, over the same canonical bytes as before: recomputing them takes this file, not just
  the database.
- `audit-anchors.jsonl`, signed checkpoints: `{"kind", "seq", "hash", "time", "mac"}` per line,
  appended (and fsynced) after the appender chains events, at most every `ANCHOR_EVERY` seconds
  per process and always when a process stops or a command ends. `verify` checks that every
  anchored link is still in the chain and that the chain still reaches the latest anchor.

Logs older than the key keep their plain SHA-256 hashes. The first line of the anchors file
(kind "start"), written when the key is made, under the head lock and before any keyed event,
names the last plain event. It lives here and not in the database, so that nobody with only
the database can claim that keyed events are plain ones (a downgrade) and rewrite them.

Each server machine keeps its own anchors file; a machine added later needs this home's
`audit.key` and at least the "start" line of its `audit-anchors.jsonl` (copy the whole file
with the master key). Back both up with the master key: without the key the chain cannot be
checked, and without the anchors a cut-off end goes unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from tipline.config import get_settings
from tipline.db import utcnow
from tipline.errors import ConfigError

KEY_FILE = "audit.key"
ANCHORS_FILE = "audit-anchors.jsonl"
# An anchor per process at most this often (seconds): one small append and fsync, off the head
# lock, so the appender does not slow down, and the file grows by at most a line per process
# per interval. Events chained since the latest anchor are the only ones whose removal from the
# end would go unnoticed.
ANCHOR_EVERY = 5.0
# Separate keys for separate uses, both derived from the one key file.
_CHAIN_LABEL = b"tipline audit chain v1"
_ANCHOR_LABEL = b"tipline audit anchors v1"
_START, _ANCHOR = "start", "anchor"


def plain_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def keyed_hash(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Keys:
    chain: bytes
    anchor: bytes

    @classmethod
    def derive(cls, secret: bytes) -> Keys:
        def sub(label: bytes) -> bytes:
            return hmac.new(secret, label, hashlib.sha256).digest()

        return cls(sub(_CHAIN_LABEL), sub(_ANCHOR_LABEL))


@dataclass
class Anchors:
    """What the anchors file says, as far as its MACs hold."""

    keys: Keys | None
    # The last event hashed plain (from the "start" line); None when not known.
    plain_upto: int | None = None
    links: dict[int, str] = field(default_factory=dict)
    count: int = 0
    # (seq to report it at, reason): damaged, forged or contradictory lines.
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def latest(self) -> int | None:
        return max(self.links) if self.links else None


def _line(keys: Keys, *, kind: str, seq: int, hash_: str) -> bytes:
    body = {"kind": kind, "seq": seq, "hash": hash_, "time": utcnow().isoformat()}
    body["mac"] = _mac(keys, body)
    return (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _mac(keys: Keys, body: dict[str, object]) -> str:
    signed = {k: v for k, v in body.items() if k != "mac"}
    return keyed_hash(
        keys.anchor, json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    )


class Seal:
    """The key and anchors of one TIPLINE_HOME; one object per home per process (`for_home`)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.key_path = home / KEY_FILE
        self.anchors_path = home / ANCHORS_FILE
        # The appender, request threads (stats refresh) and stop() may all chain and anchor.
        self._lock = threading.Lock()
        self._keys: Keys | None = None
        self._plain_upto: int | None = None
        self._due: tuple[int, str] | None = None
        self._anchored_seq = -1
        self._anchored_at = float("-inf")

    # -- chaining ------------------------------------------------------------------------------

    def for_chaining(
        self, head_seq: int, head_hash: str, head_is_keyed: Callable[[bytes], bool]
    ) -> tuple[bytes, int]:
        """The chain key and the last plain event. Called under the head lock, so that the key
        and the "start" line are made once, before any event is hashed with the key."""
        with self._lock:
            if self._keys is not None and self._plain_upto is not None:
                return self._keys.chain, self._plain_upto
            keys = self._read_keys()
            if keys is None:
                keys = self._make_key()
                self._append(_line(keys, kind=_START, seq=head_seq, hash_=head_hash))
                plain_upto = head_seq
            else:
                anchors = self._read_anchors(keys)
                if anchors.plain_upto is not None:
                    plain_upto = anchors.plain_upto
                elif head_seq == 0 or not head_is_keyed(keys.chain):
                    # The key was made and the process stopped before the "start" line was
                    # written (nothing was hashed with it yet): write it now.
                    self._append(_line(keys, kind=_START, seq=head_seq, hash_=head_hash))
                    plain_upto = head_seq
                else:
                    raise ConfigError(
                        f"{self.anchors_path} has no start line, but the audit log is already "
                        "keyed: restore it from a backup, or copy it from the home that made "
                        f"{self.key_path}"
                    )
            self._keys, self._plain_upto = keys, plain_upto
            return keys.chain, plain_upto

    def note(self, seq: int, hash_: str) -> None:
        """A committed head to anchor at the next `flush`."""
        with self._lock:
            if seq > self._anchored_seq and (self._due is None or seq > self._due[0]):
                self._due = (seq, hash_)

    def flush(self, *, every: float = 0.0) -> bool:
        """Anchor the latest noted head if `every` seconds passed since this process last did."""
        with self._lock:
            if self._due is None or self._keys is None:
                return False
            now = time.monotonic()
            if now - self._anchored_at < every:
                return False
            seq, hash_ = self._due
            self._append(_line(self._keys, kind=_ANCHOR, seq=seq, hash_=hash_))
            self._due, self._anchored_seq, self._anchored_at = None, seq, now
            return True

    # -- checking ------------------------------------------------------------------------------

    def read(self) -> Anchors:
        """The anchors as `verify` sees them; never creates anything."""
        keys = self._read_keys()
        if keys is None:
            anchors = Anchors(None)
            if self.anchors_path.exists():
                anchors.problems.append(
                    (0, f"no audit key at {self.key_path}: keyed hashes and anchors unchecked")
                )
            return anchors
        return self._read_anchors(keys)

    # -- files ---------------------------------------------------------------------------------

    def _read_keys(self) -> Keys | None:
        try:
            mode = self.key_path.stat().st_mode
        except FileNotFoundError:
            return None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"audit key {self.key_path} is readable by others "
                f"(mode {stat.S_IMODE(mode):o}); run `chmod 600` on it"
            )
        secret = self.key_path.read_bytes()
        if len(secret) != 32:
            raise ConfigError(
                f"audit key {self.key_path} is damaged: expected 32 bytes, found {len(secret)}"
            )
        return Keys.derive(secret)

    def _make_key(self) -> Keys:
        if not self.home.is_dir():
            raise ConfigError(f"no tipline home at {self.home}: run `tipline init` first")
        if self.anchors_path.exists() and self.anchors_path.stat().st_size:
            # Anchors without their key: the key was lost. A new key would hide that.
            raise ConfigError(
                f"no audit key at {self.key_path}, but {self.anchors_path} exists: restore the "
                "key from a backup (or move the anchors file aside to start over)"
            )
        secret = os.urandom(32)
        # Written whole under a temporary name and linked into place: no process ever reads a
        # half-written key, and of two processes making one, the second takes the first's.
        tmp = self.home / f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secret)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, self.key_path)
            except FileExistsError:
                keys = self._read_keys()
                if keys is None:  # made and removed again in between: nothing sane to do
                    raise ConfigError(f"audit key {self.key_path} vanished") from None
                return keys
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.home)
        return Keys.derive(secret)

    def _append(self, line: bytes) -> None:
        # O_APPEND and one write per line: lines from several processes never interleave.
        fd = os.open(self.anchors_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _read_anchors(self, keys: Keys) -> Anchors:
        anchors = Anchors(keys)
        try:
            text = self.anchors_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return anchors
        lines = text.split("\n")
        # The last piece is "" after a final newline, or a line another process is writing now.
        for number, raw in enumerate(lines[:-1], start=1):
            if raw.strip():
                _take(anchors, keys, number, raw)
        return anchors


def _take(anchors: Anchors, keys: Keys, number: int, raw: str) -> None:
    try:
        body = json.loads(raw)
        seq, hash_, kind = int(body["seq"]), str(body["hash"]), str(body["kind"])
        mac = str(body["mac"])
    except (ValueError, KeyError, TypeError):
        anchors.problems.append((0, f"anchor line {number} is damaged"))
        return
    if not hmac.compare_digest(mac, _mac(keys, body)):
        anchors.problems.append(
            (seq, f"anchor line {number} does not match its MAC (forged, or another key's)")
        )
        return
    anchors.count += 1
    if kind == _START:
        if anchors.plain_upto is not None and anchors.plain_upto != seq:
            anchors.problems.append((seq, f"anchor line {number} is a second, different start"))
            return
        anchors.plain_upto = seq
    known = anchors.links.setdefault(seq, hash_)
    if known != hash_:
        anchors.problems.append((seq, f"anchor line {number} contradicts an earlier anchor"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- which home -------------------------------------------------------------------------------

_seals: dict[Path, Seal] = {}
_homes: dict[str | None, Path] = {}
_bound: dict[str, Path] = {}
_registry_lock = threading.Lock()


def for_home(home: Path) -> Seal:
    with _registry_lock:
        seal = _seals.get(home)
        if seal is None:
            seal = _seals[home] = Seal(home)
        return seal


def _url_key(database_url: str | URL) -> str:
    return make_url(database_url).render_as_string(hide_password=False)


def bind(database_url: str | URL, home: Path) -> None:
    """Use `home`'s key and anchors for the database at `database_url`, whatever TIPLINE_HOME
    says (a process serving a database whose home is not the environment's)."""
    with _registry_lock:
        _bound[_url_key(database_url)] = home


def for_database(database_url: str | URL) -> Seal:
    """The seal of a database: its bound home, or TIPLINE_HOME from the environment."""
    home = _bound.get(_url_key(database_url)) if _bound else None
    if home is None:
        # Settings() costs milliseconds; the appender asks on every round.
        env = os.environ.get("TIPLINE_HOME")
        home = _homes.get(env)
        if home is None:
            home = _homes.setdefault(env, get_settings().home)
    return for_home(home)
