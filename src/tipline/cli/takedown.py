"""Take-down from the command line: hashing files, and a platform's sync and scan."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from tipline.cli.common import (
    JsonOpt,
    emit_json,
    err,
    out,
)
from tipline.config import get_settings
from tipline.errors import TiplineError

platform_app = typer.Typer(
    help="A platform's side of take-down: sync the hash list, scan files.", no_args_is_help=True
)


def hash_files(
    files: list[Path] = typer.Argument(..., help="Images or videos to hash."),
    as_json: bool = JsonOpt,
) -> None:
    """SHA-256, MD5, PDQ and quality for images; vPDQ for videos. Nothing is stored."""
    from tipline.evidence.hashing import hash_bytes

    settings = get_settings()
    failures = 0
    results: list[dict[str, Any]] = []
    with Progress(console=err, transient=True, disable=len(files) < 5 or as_json) as progress:
        task = progress.add_task("hashing", total=len(files))
        for path in files:
            row: dict[str, Any] = {"path": str(path)}
            try:
                data = path.read_bytes()
                h = hash_bytes(
                    data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
                )
                row.update(
                    media_type=h.media_type,
                    sha256=h.sha256,
                    md5=h.md5,
                    pdq=h.pdq,
                    pdq_quality=h.pdq_quality,
                )
                if h.vpdq is not None:
                    row["vpdq"] = h.vpdq
            except (OSError, TiplineError) as exc:
                failures += 1
                row["error"] = exc.message if isinstance(exc, TiplineError) else exc.strerror
            results.append(row)
            if as_json:
                emit_json(row)
            progress.advance(task)
    if not as_json:
        for row in results:
            if "error" in row:
                sys.stderr.write(f"{row['path']}: error: {row['error']}\n")
                continue
            out.print(f"{row['path']}", markup=False)
            out.print(f"  type {row['media_type']}  sha256 {row['sha256']}  md5 {row['md5']}")
            if row.get("pdq"):
                out.print(f"  pdq {row['pdq']}  quality {row['pdq_quality']}")
            if row.get("vpdq"):
                out.print(f"  vpdq {len(row['vpdq'])} frames")
    if failures:
        raise typer.Exit(2)


ServerOpt = typer.Option(..., "--server", help="The tipline server's base URL.")
ApiKeyOpt = typer.Option(
    ..., "--api-key", envvar="TIPLINE_API_KEY", help="The platform's API key (or TIPLINE_API_KEY)."
)
StoreOpt = typer.Option(
    None, "--store", help="The local copy of the hash list (default ~/.tipline-platform)."
)


@platform_app.command("sync")
def platform_sync(
    server: str = ServerOpt,
    api_key: str = ApiKeyOpt,
    store: Path | None = StoreOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Bring the local copy of the hash list up to date: adds, and withdrawals as tombstones."""
    from tipline.takedown import platform

    done = platform.sync(server=server, api_key=api_key, store=store or platform.default_store())
    result = {
        "added": done.added,
        "removed": done.removed,
        "live": done.live,
        "cursor": done.cursor,
    }
    if as_json:
        emit_json(result)
    else:
        out.print(f"{done.added} added, {done.removed} withdrawn; {done.live} hashes on the list")


@platform_app.command("scan")
def platform_scan(  # noqa: PLR0917 - a typer command's options are its parameters
    directory: Path = typer.Argument(..., help="A file, or a directory scanned recursively."),
    server: str = ServerOpt,
    api_key: str = ApiKeyOpt,
    store: Path | None = StoreOpt,
    report: bool = typer.Option(False, "--report", help="Tell the server about each match."),
    sync_first: bool = typer.Option(True, "--sync/--no-sync", help="Sync before scanning."),
    workers: int = typer.Option(os.cpu_count() or 1, help="Hashing processes."),
    as_json: bool = JsonOpt,
) -> None:
    """Hash every image and video under DIRECTORY and match it against the local copy."""
    from tipline.takedown import platform

    store = store or platform.default_store()
    if sync_first:
        platform.sync(server=server, api_key=api_key, store=store)
    copy = platform.LocalCopy(store)
    try:
        matcher = copy.matcher()
    finally:
        copy.close()
    paths = list(platform.media_files(directory))
    matches: list[dict[str, Any]] = []
    errors = 0
    with Progress(console=err, transient=True, disable=as_json or len(paths) < 5) as progress:
        task = progress.add_task("scanning", total=len(paths))
        for hashed in platform.hashed_files(paths, workers):
            progress.advance(task)
            if "error" in hashed:
                errors += 1
                continue
            found = platform.scan_matches(matcher, hashed)
            matches.extend(found)
            if as_json:
                for line in found:
                    emit_json(line)
    if report and matches:
        platform.report_matches(server=server, api_key=api_key, matches=matches)
    if not as_json:
        for line in matches:
            out.print(
                f"{line['path']}: {line['signal_type']} match, case {line['case_id']}, "
                f"distance {line['distance']}",
                markup=False,
            )
        out.print(f"{len(paths)} files scanned, {len(matches)} matches, {errors} unreadable")
