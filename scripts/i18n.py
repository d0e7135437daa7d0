"""Extract the messages, and write the Spanish catalog from scripts/es_catalog.py.

`make i18n` runs this. A message with no Spanish yet is written with an empty msgstr and
listed, so the gap is visible (and tests/test_i18n.py fails until it is filled).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "src/tipline/web/locale/messages.pot"
ES_PO = ROOT / "src/tipline/web/locale/es/LC_MESSAGES/messages.po"

sys.path.insert(0, str(ROOT / "scripts"))
from es_catalog import ES  # noqa: E402


def extract() -> Catalog:
    POT.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(POT),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with POT.open("rb") as fh:
        return read_po(fh)


def main() -> None:
    template = extract()
    catalog = Catalog(locale="es", project="tipline", charset="utf-8")
    missing = []
    for message in template:
        if not message.id:
            continue
        spanish = ES.get(message.id)
        if spanish is None:
            missing.append(message.id)
            spanish = ("", "") if isinstance(message.id, tuple) else ""
        catalog.add(message.id, spanish)
    ES_PO.parent.mkdir(parents=True, exist_ok=True)
    with ES_PO.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    for msgid in missing:
        print(f"no Spanish yet: {msgid!r}")
    print(f"{len(template)} messages, {len(missing)} without Spanish")


if __name__ == "__main__":
    main()
