"""NCMEC's own exchange from PyPI `threatexchange`, driven through the `threatexchange` CLI as a
platform runs it, against tipline's /hashsharing: fetch, match a reshared copy, then after the
victim withdraws and a new fetch, match nothing.

The CLI stores an NCMEC collaboration's environment as one of NCMEC's own URLs, so a platform
points it at tipline the way an HMA deployment does: a few lines of its own naming the same
exchange class with tipline's base URL (the README shows them). Everything else is the library's
code, unchanged: its client, its exchange class, its fetch, its index and its matcher.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from test_tx_extension import (
    Platform,
    _image_hashes,
    _open_case,
    _other_victims,
    _platform_home,
    _reshared,
    _withdraw,
)

from accounts import make_org
from media import encode, photo

# A platform's own module: NCMEC's exchange, with tipline as its environment.
POINTER = """
import os
from dataclasses import dataclass, field

from threatexchange.exchanges.clients.ncmec.hash_api import NCMECHashAPI
from threatexchange.exchanges.impl.ncmec_api import NCMECCollabConfig, NCMECSignalExchangeAPI
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest


class Tipline:
    value = os.environ["TIPLINE_HASHSHARING_URL"]


@dataclass
class AtTipline(NCMECCollabConfig):
    api: str = field(init=False, default="ncmec_at_tipline")


class NCMECAtTipline(NCMECSignalExchangeAPI):
    @classmethod
    def get_name(cls) -> str:
        return "ncmec_at_tipline"

    @staticmethod
    def get_config_cls():
        return AtTipline

    def get_client(self, environment):
        return NCMECHashAPI(self._username, self._password, Tipline())


TX_MANIFEST = ThreatExchangeExtensionManifest(apis=(NCMECAtTipline,))
"""
# The exchange never asks for the last 5 seconds (ncmec_api.fetch_iter): what just changed is
# fetched only by a fetch this long after.
MARGIN = 6.5


def _ncmec_platform(tmp_path: Path, live_server: str, login: tuple[str, str]) -> Platform:
    machine = _platform_home(tmp_path)
    (machine.home / "platform_ncmec.py").write_text(POINTER)
    machine.env.update(
        {
            "PYTHONPATH": str(machine.home),
            "TIPLINE_HASHSHARING_URL": f"{live_server}/hashsharing",
            # The library's own way to give it NCMEC's login (ncmec_api.NCMECCredentials).
            "TX_NCMEC_CREDENTIALS": f"{login[0]}:{login[1]}",
            # The client writes local time marked Z: run it in UTC, as the README says.
            "TZ": "UTC",
        }
    )
    added = machine.tx("config", "extensions", "add", "platform_ncmec")
    assert "ncmec_at_tipline" in added.stdout, added.stdout
    machine.tx(
        "config",
        "collab",
        "edit",
        "ncmec_at_tipline",
        "tipline-via-ncmec",
        "--create",
        "--environment",
        "test_Industry",
    )
    return machine


def test_ncmecs_exchange_fetches_matches_and_drops_a_withdrawn_image(
    tmp_path: Path, live_server: str, http: httpx.Client, database: object
) -> None:
    creds = make_org(database, "platform", "NCMEC-route platform")  # type: ignore[arg-type]
    login = (creds.hashsharing_username or "", creds.hashsharing_password or "")
    _other_victims(http)
    case = _open_case(http, _image_hashes(encode(photo(5), "PNG")))
    machine = _ncmec_platform(tmp_path, live_server, login)
    time.sleep(MARGIN)
    machine.tx("fetch")
    reshared = _reshared(5, tmp_path / "reshared.jpg")
    found = machine.matches("photo", reshared)
    assert any("pdq" in line for line in found), found
    unrelated = tmp_path / "unrelated.jpg"
    unrelated.write_bytes(encode(photo(31), "JPEG", quality=80))
    assert machine.matches("photo", unrelated) == []

    _withdraw(http, case)
    time.sleep(MARGIN)
    machine.tx("fetch")
    assert machine.matches("photo", reshared) == []
    # The other victims' images are still on the platform's copy.
    still = tmp_path / "other.jpg"
    still.write_bytes(encode(photo(2), "JPEG", quality=80))
    assert any("pdq" in line for line in machine.matches("photo", still))
