"""`tipline detect-stream` against the real NATS JetStream server on this machine: two workers
share the load, one is killed mid-stream, and every conversation that should alert does so
exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from tipline.detect import scan
from tipline.detect.stream import subject_for

NATS = os.environ.get("TIPLINE_TEST_NATS_URL", "nats://127.0.0.1:4222")
DATA = Path(__file__).resolve().parents[2] / "data" / "detect"
pytestmark = pytest.mark.nats


def _worker(namespace: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tipline",
            "detect-stream",
            "--nats",
            NATS,
            "--namespace",
            namespace,
            "--ack-wait",
            "2",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("ready"), line
    return proc


def _conversations() -> list[dict[str, object]]:
    rows = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text().splitlines()]
    return rows[:100]


async def _publish(namespace: str, rows: list[dict[str, object]], halfway: asyncio.Event) -> None:
    nc = await nats.connect(NATS)
    js = nc.jetstream()
    events = []
    longest = max(len(r["messages"]) for r in rows)  # type: ignore[arg-type]
    # Interleaved, as a platform's traffic is: message k of every conversation, then k+1.
    for k in range(longest):
        for row in rows:
            messages = row["messages"]
            if k < len(messages):  # type: ignore[arg-type]
                m = messages[k]  # type: ignore[index]
                events.append(
                    {"conversation_id": row["id"], "sender": m["sender"], "text": m["text"]}
                )
    for n, event in enumerate(events):
        subject = subject_for(namespace, str(event["conversation_id"]))
        await js.publish(subject, json.dumps(event).encode())
        if n == len(events) // 2:
            halfway.set()
            await asyncio.sleep(0.2)
    await nc.close()


async def _settled(namespace: str, within: float) -> None:
    nc = await nats.connect(NATS)
    js = nc.jetstream()
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            info = await js.consumer_info(f"{namespace.upper()}_MESSAGES", f"{namespace}_detect")
            if info.num_pending == 0 and info.num_ack_pending == 0:
                return
            await asyncio.sleep(0.3)
        raise AssertionError(f"events still pending: {info}")
    finally:
        await nc.close()


async def _alerts(namespace: str) -> list[dict[str, object]]:
    nc = await nats.connect(NATS)
    js = nc.jetstream()
    out = []
    info = await js.stream_info(f"{namespace.upper()}_ALERTS")
    for seq in range(1, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(f"{namespace.upper()}_ALERTS", seq)
        except NotFoundError:
            continue
        out.append(json.loads(msg.data))
    await nc.close()
    return out


async def _clean(namespace: str) -> None:
    nc = await nats.connect(NATS)
    js = nc.jetstream()
    # Best effort: a stream the test never made is not an error here.
    for stream in (f"{namespace.upper()}_MESSAGES", f"{namespace.upper()}_ALERTS"):
        with contextlib.suppress(Exception):
            await js.delete_stream(stream)
    with contextlib.suppress(Exception):
        await js.delete_key_value(f"{namespace}_detect_alerted")
    await nc.close()


def test_two_workers_one_killed_no_alert_lost_none_doubled() -> None:
    namespace = f"t{uuid.uuid4().hex[:10]}"
    rows = _conversations()
    offline = {str(r["id"]): scan(r)["first_alert_index"] for r in rows}
    expected = {cid for cid, index in offline.items() if index is not None}
    assert 10 < len(expected) < len(rows)  # some alert, some stay quiet
    first, second = _worker(namespace), _worker(namespace)
    try:

        async def scenario() -> None:
            halfway = asyncio.Event()
            publishing = asyncio.create_task(_publish(namespace, rows, halfway))
            await halfway.wait()
            first.send_signal(signal.SIGKILL)  # mid-stream, with events in hand
            await publishing
            await _settled(namespace, within=90)

        asyncio.run(scenario())
        alerts = asyncio.run(_alerts(namespace))
        ids = [str(a["conversation_id"]) for a in alerts]
        assert len(ids) == len(set(ids)), "an alert was doubled"
        assert set(ids) == expected, "an alert was lost or wrong"
        for alert in alerts:
            assert alert["risk"] > 0  # a flag raised alerts (learned.py), whatever its weight
            assert alert["flags"]
            # The same moment a single ordered pass would have alerted at.
            cid = str(alert["conversation_id"])
            assert alert["first_alert_index"] == offline[cid], (cid, alert["flags"])
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        asyncio.run(_clean(namespace))
