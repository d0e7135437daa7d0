"""Red flags in conversations: scanning files, explaining, evaluating, streaming."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from tipline.cli.common import (
    JsonOpt,
    emit_json,
    err,
    open_text,
    out,
)
from tipline.errors import BadInput, TiplineError


def scan_conversations(  # noqa: PLR0917 - a typer command's options are its parameters
    source: Path | None = typer.Argument(
        None, help="Conversations, one JSON object per line (- for standard input)."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write results here."),
    evaluate: Path | None = typer.Option(
        None, "--evaluate", help="Labelled conversations: print precision, recall and more."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="For reviewers: each conversation message by message."
    ),
    point: str = typer.Option(
        "balanced",
        "--point",
        envvar="TIPLINE_DETECT_OPERATING_POINT",
        help="Operating point: balanced, precision or recall.",
    ),
    plot: Path | None = typer.Option(
        None, "--plot", help="Draw each fresh set's first score against training size (PNG)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Red-flag detection over conversations (DESIGN.md formats), one result per line."""
    from tipline.detect import scan

    point = _point(point)
    if plot is not None:
        _plot_history(plot)
        if evaluate is None and source is None:
            return
    if evaluate is not None:
        _evaluate_detector(evaluate, point=point, as_json=as_json)
        return
    if source is None:
        raise BadInput("give a file of conversations (or - for standard input), or --evaluate")
    if explain:
        _explain_conversations(source, point=point, as_json=as_json)
        return
    sink = open_text(output, "w") if output else sys.stdout
    try:
        with (
            _conversations(source) as rows,
            Progress(console=err, transient=True, disable=output is None) as progress,
        ):
            task = progress.add_task("scanning", total=None)
            for row in rows:
                sink.write(json.dumps(scan(row, point=point), ensure_ascii=False) + "\n")
                progress.advance(task)
    finally:
        if sink is not sys.stdout:
            sink.close()


def detect_stream(
    nats_url: str = typer.Option(
        "", "--nats", envvar="TIPLINE_NATS_URL", help="NATS server (or TIPLINE_NATS_URL)."
    ),
    namespace: str = typer.Option("tipline", help="Prefix of subjects, streams and bucket."),
    ack_wait: float = typer.Option(
        30.0, help="Seconds before an unacknowledged event is redelivered."
    ),
    idle_expiry: float = typer.Option(
        86_400.0, help="Seconds a quiet conversation's state is kept."
    ),
    point: str = typer.Option(
        "balanced",
        "--point",
        envvar="TIPLINE_DETECT_OPERATING_POINT",
        help="Operating point: balanced, precision or recall.",
    ),
) -> None:
    """Detect red flags in message events from NATS JetStream; alert once per conversation."""
    import re

    from tipline.detect.stream import StreamConfig, run_forever

    if not nats_url:
        raise BadInput("set TIPLINE_NATS_URL or --nats (e.g. nats://127.0.0.1:4222)")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", namespace):
        raise BadInput("the namespace is lower-case letters, digits and _ (up to 31)")
    config = StreamConfig(
        url=nats_url,
        namespace=namespace,
        ack_wait=ack_wait,
        idle_expiry=idle_expiry,
        point=_point(point),
    )

    def ready() -> None:
        sys.stderr.write(f"ready: {config.messages_subject} -> {config.alerts_subject}\n")
        sys.stderr.flush()

    try:
        run_forever(config, on_ready=ready)
    except OSError as exc:
        raise TiplineError(f"could not reach NATS at {nats_url}: {exc}", code="nats") from None


def _point(point: str) -> str:
    from tipline.detect.learned import OPERATING_POINTS

    if point not in OPERATING_POINTS:
        raise BadInput(f"the operating point is one of {', '.join(OPERATING_POINTS)}")
    return point


def _plot_history(target: Path) -> None:
    from tipline.detect import plot

    if target.suffix.lower() != ".png":
        raise BadInput(f"{target}: the plot is a PNG file (name it .png)")
    try:
        plot.draw(plot.history(), target)
    except OSError as exc:
        raise BadInput(f"{target}: cannot write it ({exc.strerror})") from None
    err.print(f"wrote {target}")


def _explain_conversations(source: Path, *, point: str, as_json: bool) -> None:
    """Each conversation as a table: a message a row, the risk after it, what it raised."""
    from tipline.detect import explain

    with _conversations(source) as rows:
        for row in rows:
            explained = explain(row, point=point)
            if as_json:
                emit_json(explained)
                continue
            result = explained["result"]
            table = Table(
                "#",
                "sender",
                "message",
                "risk",
                "raised here",
                title=f"{result['id']}: {result['level']}, risk {result['risk']:.2f}"
                + (" - the child is in distress" if result["victim_distress"] else ""),
            )
            for step, message in zip(explained["messages"], row["messages"], strict=True):
                raised = "\n".join(
                    f"{r['flag']}"
                    + (f" (at {r['message_index']})" if r["message_index"] != step["index"] else "")
                    + f": \u201c{r['evidence']}\u201d"
                    for r in step["raised"]
                )
                risk = f"{step['risk']:.2f}" + (" ALERT" if step["alert"] else "")
                text = str(message.get("text", ""))
                table.add_row(
                    str(step["index"]),
                    str(step["sender"]),
                    text if len(text) <= 80 else text[:79] + "\u2026",
                    risk,
                    raised,
                )
            out.print(table)


@contextmanager
def _conversations(source: Path) -> Iterator[Iterator[dict[str, Any]]]:
    """The conversations in a file, or on standard input for "-" (left open: it is not ours)."""
    from tipline.detect import service as detect

    handle = sys.stdin if str(source) == "-" else open_text(source)
    try:
        yield detect.read_conversations(handle, source=str(source))
    finally:
        if handle is not sys.stdin:
            handle.close()


def _evaluate_detector(path: Path, *, point: str, as_json: bool) -> None:
    from tipline.detect import scan
    from tipline.detect import service as detect
    from tipline.detect.evaluate import evaluate

    with open_text(path) as handle:
        rows = list(detect.read_conversations(handle, source=str(path)))
    if not all(isinstance(r.get("labels"), dict) for r in rows):
        raise BadInput(f'{path}: every line needs "labels": {{"flags": ..., "level": ...}}')
    figures = evaluate((r["labels"], scan(r, point=point)) for r in rows)
    if as_json:
        emit_json(figures)
        return
    table = Table(title=f"{figures['conversations']} conversations")
    for column in ("flag", "precision", "recall", "F1", "support"):
        table.add_column(column)
    for flag, v in figures["flags"].items():
        table.add_row(
            flag,
            *(f"{v[k]:.3f}" if v[k] is not None else "-" for k in ("precision", "recall", "f1")),
            str(v["support"]),
        )
    out.print(table)
    for key in (
        "macro_f1",
        "level_accuracy",
        "false_alarm_rate",
        "hard_negative_false_alarm_rate",
        "early_warning_rate",
        "victim_distress_recall",
    ):
        value = figures[key]
        out.print(f"{key.replace('_', ' ')}: {'-' if value is None else f'{value:.3f}'}")
