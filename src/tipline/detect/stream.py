"""`tipline detect-stream`: red flags at platform scale, over NATS JetStream.

A platform publishes each message event `{conversation_id, sender, text, ts}` on
`<namespace>.messages.<key>`, where the key is `conversation_key(conversation_id)` (a SHA-256:
one subject per conversation, whatever characters its id holds; `subject_for` gives it). Workers
share one durable consumer through a queue group, so any number of them split the load, and an
event a dead worker took but never acknowledged goes to another after the ack wait.

The verdict for an event is computed from the conversation's own history in the stream, read
back in stream order up to that event: the stream, not the worker, is the state, so workers
racing on the same conversation, or one dying, never change the verdict. A worker keeps what it
has already read of a conversation (bounded, least recently used) and reads only what is new.

The first time a conversation's risk crosses the alert threshold, an alert goes to
`<namespace>.alerts` with a message id derived from the conversation: JetStream drops a second
publish of it within the duplicate window, and a mark in a key-value bucket (with the idle
expiry as its age limit) stops any later one. So a worker killed at any point neither loses an
alert nor doubles one, and the alert's `first_alert_index` is the one a single ordered pass
gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, KeyValueConfig
from nats.js.api import StreamConfig as JsStreamConfig
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError

from tipline.detect.detector import Detection, new_state

log = logging.getLogger("tipline.detect.stream")

CACHED_CONVERSATIONS = 10_000  # per worker: what it has read of each, least recently used out


@dataclass(frozen=True)
class StreamConfig:
    url: str
    namespace: str = "tipline"
    ack_wait: float = 30.0
    idle_expiry: float = 86_400.0
    duplicate_window: float = 3_600.0
    # The detector's operating point (learned.OPERATING_POINTS).
    point: str = "balanced"

    @property
    def messages_subject(self) -> str:
        return f"{self.namespace}.messages.>"

    @property
    def alerts_subject(self) -> str:
        return f"{self.namespace}.alerts"

    @property
    def messages_stream(self) -> str:
        return f"{self.namespace.upper()}_MESSAGES"

    @property
    def alerts_stream(self) -> str:
        return f"{self.namespace.upper()}_ALERTS"

    @property
    def bucket(self) -> str:
        return f"{self.namespace}_detect_alerted"

    @property
    def durable(self) -> str:
        return f"{self.namespace}_detect"


def conversation_key(conversation_id: str) -> str:
    # Subjects and KV keys allow few characters; a conversation id may hold any.
    return hashlib.sha256(conversation_id.encode()).hexdigest()


def subject_for(namespace: str, conversation_id: str) -> str:
    """Where a platform publishes the events of one conversation."""
    return f"{namespace}.messages.{conversation_key(conversation_id)}"


async def ensure(js: Any, config: StreamConfig) -> Any:
    """The streams and the alerted-mark bucket (idempotent); returns the bucket."""
    for name, subject, window, age in (
        (config.messages_stream, config.messages_subject, 120.0, config.idle_expiry),
        (config.alerts_stream, config.alerts_subject, config.duplicate_window, None),
    ):
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                JsStreamConfig(name=name, subjects=[subject], duplicate_window=window, max_age=age)
            )
    try:
        return await js.key_value(config.bucket)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(bucket=config.bucket, ttl=config.idle_expiry, history=1)
        )


@dataclass
class Conversation:
    """What one worker has read of a conversation's history, and the verdict so far."""

    state: Detection
    last_seq: int = 0


class Worker:
    def __init__(self, config: StreamConfig) -> None:
        self.config = config
        self.processed = 0
        self.alerts = 0
        self._read: OrderedDict[str, Conversation] = OrderedDict()

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        nc = await nats.connect(self.config.url, name="tipline-detect-stream")
        js = nc.jetstream()
        kv = await ensure(js, self.config)
        # The queue group is the durable consumer's name too (JetStream's convention).
        sub = await js.subscribe(
            self.config.messages_subject,
            queue=self.config.durable,
            manual_ack=True,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.config.ack_wait,
                max_ack_pending=256,
            ),
        )
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                await self.handle(js, kv, msg)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
            await nc.drain()

    async def handle(self, js: Any, kv: Any, msg: Any) -> None:
        try:
            event = json.loads(msg.data)
            conversation_id = str(event["conversation_id"])
        except (ValueError, KeyError, TypeError):
            # A malformed event is acknowledged and dropped: retrying cannot fix it.
            log.warning("dropped a malformed event at stream sequence %s", _seq(msg))
            await msg.ack()
            return
        key = conversation_key(conversation_id)
        if msg.subject != f"{self.config.namespace}.messages.{key}":
            log.warning(
                "dropped an event published on %s, not its conversation's subject", msg.subject
            )
            await msg.ack()
            return
        if not await _alerted(kv, key):
            conversation = await self._history(js, msg.subject, key, upto=_seq(msg))
            if conversation.state.first_alert_index is not None:
                await self.alert(js, conversation_id, conversation.state)
                await _mark_alerted(kv, key)
        await msg.ack()
        self.processed += 1

    async def _history(self, js: Any, subject: str, key: str, *, upto: int) -> Conversation:
        """The conversation read from the stream, in order, up to and including `upto`."""
        conversation = self._read.pop(key, None)
        if conversation is None or conversation.last_seq > upto:
            # Nothing read yet, or read past this event (a redelivery): read from the start.
            conversation = Conversation(new_state(point=self.config.point))
        while conversation.last_seq < upto:
            try:
                raw = await js.get_msg(
                    self.config.messages_stream,
                    seq=conversation.last_seq + 1,
                    subject=subject,
                    next=True,
                )
            except NotFoundError:
                break
            if raw.seq > upto:
                break
            try:
                event = json.loads(raw.data)
                sender, text = str(event.get("sender", "")), str(event.get("text", ""))
            except (ValueError, TypeError, AttributeError):
                sender, text = "", ""
            conversation.state.add(sender, text)
            conversation.last_seq = int(raw.seq)
        self._read[key] = conversation
        while len(self._read) > CACHED_CONVERSATIONS:
            self._read.popitem(last=False)
        return conversation

    async def alert(self, js: Any, conversation_id: str, state: Detection) -> None:
        result = state.result(conversation_id)
        payload = {"conversation_id": conversation_id, **result}
        del payload["id"]
        await js.publish(
            self.config.alerts_subject,
            json.dumps(payload).encode(),
            headers={"Nats-Msg-Id": f"alert-{conversation_key(conversation_id)}"},
        )
        self.alerts += 1


async def _alerted(kv: Any, key: str) -> bool:
    try:
        await kv.get(key)
    except KeyNotFoundError:
        return False
    return True


async def _mark_alerted(kv: Any, key: str) -> None:
    # Another worker may have marked it first: the mark, not who wrote it, is what counts.
    with contextlib.suppress(Exception):
        await kv.create(key, b"1")


def _seq(msg: Any) -> int:
    return int(msg.metadata.sequence.stream)


def run_forever(config: StreamConfig, *, on_ready: Any = None) -> None:
    """Serve until SIGINT or SIGTERM; a stop lets the event in hand finish and be acked."""

    async def main() -> None:
        stop = asyncio.Event()
        ready = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        worker = Worker(config)
        task = asyncio.create_task(worker.run(stop, ready))
        ready_wait = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait({task, ready_wait}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready_wait.cancel()
            await task  # raises the start-up error
            return
        if on_ready is not None:
            on_ready()
        await task

    asyncio.run(main())
