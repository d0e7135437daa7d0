"""Settings from the TIPLINE_* environment (DESIGN.md, "Public contracts")."""

from __future__ import annotations

import os
import stat
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tipline.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIPLINE_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.home() / ".tipline")
    database_url: str | None = None
    redis_url: str | None = None
    nats_url: str | None = None
    # Evidence intake limits: large enough for a phone video, small enough that one request
    # cannot fill the disk.
    max_upload_bytes: int = 50 * 1024 * 1024
    # Pillow's own bomb guard is 89 MP; a screenshot or a photo never needs more than this.
    max_image_pixels: int = 64_000_000
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Cookies are Secure on every HTTPS request (seen directly, or through a trusted proxy's
    # X-Forwarded-Proto); this forces them Secure over plain HTTP too (a TLS terminator that
    # sends no X-Forwarded-Proto). The embedded demo runs on plain http://127.0.0.1.
    secure_cookies: bool = False
    # Proxies (comma-separated addresses or networks) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. Empty: nobody's; the connection's own peer is the client.
    trusted_proxies: str = ""
    # Reports and take-down cases per person: one browser (its form token) at one address.
    # "off" turns a limit off (benchmarks, a hotline behind its own proxy).
    public_rate_limit: str = "10/hour"
    # The same per address, whatever the browser: high enough for a school's or a shelter's
    # shared network (many people, one address), low enough to stop a flood.
    public_address_limit: str = "120/hour"
    # Looking a report up with its case number and token: generous for a reporter coming back,
    # tight enough that guessing tokens is hopeless.
    follow_up_rate_limit: str = "60/hour"
    # Megapixels of images one address may have decoded per period (public uploads): what a
    # photo costs is fine; a stream of 64-megapixel images is not.
    image_pixel_budget: str = "1000/hour"
    # Wrong passwords, PINs and API keys from one address, across all accounts.
    failed_login_limit: str = "30/10minutes"
    # Where reports are forwarded: a CyberTipline-compatible base URL (ending in /ispws) and
    # this installation's login there. None by default: nothing leaves unless configured.
    upstream_url: str | None = None
    upstream_username: str | None = None
    upstream_password: str | None = None
    # Seconds a request waits for the database's write lock (SQLite) before it is answered 503
    # with Retry-After; readers never wait for it.
    db_lock_timeout: float = Field(default=5.0, gt=0, le=60)
    # Threads per server process for request handlers (and the database pool to match).
    worker_threads: int = 4
    # Run queued jobs inline, in the caller (tests, one-shot CLI commands).
    jobs_immediate: bool = False
    # Notices to companies: the public grouping endpoint's limit; the SMTP relay an analyst's
    # notices go through (smtp://host:port, or smtps://), and the From address they carry.
    notices_rate_limit: str = "60/hour"
    smtp_url: str | None = None
    notices_from: str = "takedown@tipline.invalid"
    # The red-flag detector's operating point (detect/learned.py): "balanced" (at most 5% of
    # everyday talk that shares the words raises a flag, on the data it was calibrated on),
    # "precision" (2%) or "recall" (each flag at its best F1, more alerts to review).
    detect_operating_point: Literal["balanced", "precision", "recall"] = "balanced"
    # This site's address as families and peers reach it (https://help.example.org), for the
    # link in an email saying a message waits; the support desk's From address.
    public_url: str | None = None
    support_from: str = "support@tipline.invalid"
    # Checking whether a URL still answers never reaches a private address. Tests switch this
    # on to reach their own site on 127.0.0.1 (loopback only; every other private range stays
    # refused).
    notices_allow_loopback: bool = False
    # Published counts under this are withheld (the public numbers, `tipline stats`).
    stats_threshold: int = Field(default=10, ge=1, le=1000)
    # Days a message relayed between a peer and a family is kept before it is deleted.
    support_message_retention_days: int = Field(default=30, ge=1, le=365)
    # Requests for support (/support) per person, as reports are limited.
    support_rate_limit: str = "10/hour"
    # Entries per page of NCMEC's Hash Sharing API (/hashsharing/v2/entries); NCMEC's own is 1000.
    hashsharing_page_size: int = Field(default=1000, ge=1, le=5000)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'tipline.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def master_key_path(self) -> Path:
        return self.home / "master.key"

    @property
    def vault_dir(self) -> Path:
        return self.home / "vault"

    @cached_property
    def master_key(self) -> bytes:
        return load_master_key(self.master_key_path)


def load_master_key(path: Path) -> bytes:
    """Read the 32-byte master key, refusing one that others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"no master key at {path}: run `tipline init` first") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"master key {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            "run `chmod 600` on it"
        )
    key = path.read_bytes()
    if len(key) != 32:
        raise ConfigError(f"master key {path} is damaged: expected 32 bytes, found {len(key)}")
    return key


def write_master_key(path: Path) -> bool:
    """Create the master key once, with mode 0600 from the first byte. Returns True if created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(os.urandom(32))
        fh.flush()
        os.fsync(fh.fileno())
    return True


def get_settings() -> Settings:
    return Settings()
