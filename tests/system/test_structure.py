"""The package's rooms: each domain imports on its own, with no environment, and building
nothing as it does (no job queue, no home directory, no database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "tipline"
DOMAINS = sorted(
    p.name
    for p in PACKAGE.iterdir()
    if p.is_dir() and (p / "__init__.py").exists() and p.name != "migrations"
)

_PROBE = """
import importlib, pathlib, pkgutil, sys
import tipline
domain = sys.argv[1]
package = importlib.import_module(f"tipline.{domain}")
names = sorted(m.name for m in pkgutil.walk_packages(package.__path__, f"tipline.{domain}."))
for name in names:
    importlib.import_module(name)
from tipline import queue
assert queue._huey is None, "a job queue was built at import time"
print(len(names) + 1)
"""


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_imports_alone_with_no_environment(domain: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, domain],
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip()) >= 2  # the package and at least one module in it
    # Nothing was written: no ~/.tipline, no queue database, no SQLite file.
    assert list(home.iterdir()) == []
