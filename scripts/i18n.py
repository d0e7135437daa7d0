"""Extract the messages; write the Spanish catalog from scripts/es_catalog.py.

`make i18n` runs this; `--check` (in the tests) only compares. A message with no Spanish yet
is written with an empty msgstr and listed, so the gap is visible, and
tests/web/test_public_pages.py fails until it is filled.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
ES_PO = ROOT / "src/tipline/web/locale/es/LC_MESSAGES/messages.po"

sys.path.insert(0, str(ROOT / "scripts"))
from es_catalog import ES  # noqa: E402


def extract() -> Catalog:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        _extract_to(pot)
        with pot.open("rb") as fh:
            return read_po(fh)


def _extract_to(pot: Path) -> None:
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
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def build() -> tuple[bytes, list[object]]:
    template = extract()
    catalog = Catalog(locale="es", project="tipline", charset="utf-8")
    missing: list[object] = []
    for message in template:
        if not message.id:
            continue
        spanish = ES.get(message.id)
        if spanish is None:
            missing.append(message.id)
            spanish = ("", "") if isinstance(message.id, tuple) else ""
        if isinstance(spanish, tuple):
            # CLDR gives Spanish a third plural form (for round millions): the plural serves.
            spanish = spanish + (spanish[-1],) * (catalog.num_plurals - len(spanish))
        catalog.add(message.id, spanish)
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True)
    # The header carries the time of writing; leave it out of the comparison and the file.
    text = b"\n".join(
        line
        for line in out.getvalue().split(b"\n")
        if not line.startswith(b'"PO-Revision-Date') and not line.startswith(b'"POT-Creation-Date')
    )
    return text, missing


def main() -> None:
    text, missing = build()
    for msgid in missing:
        print(f"no Spanish yet: {msgid!r}")
    if "--check" in sys.argv:
        current = ES_PO.read_bytes() if ES_PO.exists() else b""
        if missing or current != text:
            print("the Spanish catalog is out of date: run `make i18n` and commit it")
            sys.exit(1)
        print("the Spanish catalog is complete and up to date")
        return
    ES_PO.parent.mkdir(parents=True, exist_ok=True)
    ES_PO.write_bytes(text)
    print(f"{len(missing)} messages without Spanish")


if __name__ == "__main__":
    main()
