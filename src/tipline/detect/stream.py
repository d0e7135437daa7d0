"""`tipline detect-stream`: red flags at platform scale, over NATS JetStream.

Message events `{conversation_id, sender, text, ts}` arrive on `<namespace>.messages`. Workers
share one durable consumer through a queue group, so any number of them split the load, and a
message a dead worker took but never acknowledged goes to another after the ack wait.

A conversation's state lives in a JetStream key-value bucket, not in the worker: its recent
messages (bounded) in stream order, and whether it has alerted. Each update is a
compare-and-set on the entry's revision, so two workers never lose each other's messages; the
verdict is replayed from the messages in stream order, so it is the same whichever worker saw
which message first. The bucket's age limit expires idle conversations.

The first time a conversation's risk crosses the alert threshold, an alert goes to
`<namespace>.alerts` with a message id derived from the conversation: JetStream drops a second
publish of it within the duplicate window, and the state's `alerted` mark stops any later one.
So a worker killed at any point neither loses an alert nor doubles one. And an alert waits until
every earlier event is acknowledged, so racing workers give the verdict a single ordered stream
would: a later message read before an earlier one cannot raise an alert that the earlier one
would have prevented.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
from dataclasses import dataclass
from typing import Any

from tipline.detect.engine import ConversationState

log = logging.getLogger("tipline.detect.stream")

MAX_WINDOW = 200  # messages of one conversation kept for the verdict
CAS_ATTEMPTS = 20


@dataclass(frozen=True)
class StreamConfig:
    url: str
    namespace: str = "tipline"
    ack_wait: float = 30.0
    idle_expiry: float = 86_400.0
    duplicate_window: float = 3_600.0

    @property
    def messages_subject(self) -> str:
        return f"{self.namespace}.messages"

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
        return f"{self.namespace}_detect_state"

    @property
    def durable(self) -> str:
        return f"{self.namespace}_detect"


def conversation_key(conversation_id: str) -> str:
    # KV keys allow few characters; a conversation id may hold any.
    return hashlib.sha256(conversation_id.encode()).hexdigest()


def verdict(messages: list[list[Any]]) -> ConversationState:
    """Replay the kept messages, oldest first: the streaming verdict after the last one."""
    from tipline.detect.model import default

    state = ConversationState(scorer=default())
    for _, sender, text in messages:
        state.add(str(sender), str(text))
    return state


async def ensure(js: Any, config: StreamConfig) -> Any:
    """The streams and the state bucket (idempotent); returns the bucket."""
    from nats.js.api import KeyValueConfig
    from nats.js.api import StreamConfig as JsStreamConfig
    from nats.js.errors import BucketNotFoundError, NotFoundError

    for name, subject, window in (
        (config.messages_stream, config.messages_subject, 120.0),
        (config.alerts_stream, config.alerts_subject, config.duplicate_window),
    ):
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                JsStreamConfig(name=name, subjects=[subject], duplicate_window=window)
            )
    try:
        return await js.key_value(config.bucket)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(bucket=config.bucket, ttl=config.idle_expiry, history=1)
        )


class Worker:
    def __init__(self, config: StreamConfig) -> None:
        self.config = config
        self.processed = 0
        self.alerts = 0

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

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
                except TimeoutError:
                    continue
                except nats.errors.TimeoutError:
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
            sender, text = str(event.get("sender", "")), str(event.get("text", ""))
        except (ValueError, KeyError, TypeError):
            # A malformed event is acknowledged and dropped: retrying cannot fix it.
            log.warning("dropped a malformed event at stream sequence %s", _seq(msg))
            await msg.ack()
            return
        done = await self.apply(js, kv, conversation_id, seq=_seq(msg), sender=sender, text=text)
        if not done:
            # An earlier event may still be in another worker's hands: come back to this one.
            await msg.nak(delay=0.25)
            return
        # Synchronous, so the consumer's ack floor counts it before the next alert check.
        await msg.ack_sync()
        self.processed += 1

    async def apply(
        self, js: Any, kv: Any, conversation_id: str, *, seq: int, sender: str, text: str
    ) -> bool:
        """Add one event to its conversation; False if it must wait for earlier events."""
        from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

        key = conversation_key(conversation_id)
        for _ in range(CAS_ATTEMPTS):
            try:
                entry = await kv.get(key)
                stored = json.loads(entry.value)
                revision = entry.revision
            except KeyNotFoundError:
                stored, revision = {"messages": [], "alerted": False}, None
            messages: list[list[Any]] = stored["messages"]
            if all(m[0] != seq for m in messages):
                messages.append([seq, sender, text])
                messages.sort(key=lambda m: m[0])
                del messages[:-MAX_WINDOW]
            state = verdict(messages)
            if state.first_alert_index is not None and not stored["alerted"]:
                # Workers race, so an earlier message of this conversation may not be in the
                # state yet, and it could change the verdict (a bill split, a game). Alert only
                # once every event before this one is acknowledged: then the state is the
                # conversation up to here, in order, as a single stream would have seen it.
                if not await self._earlier_events_done(js, seq):
                    return False
                # The state was read before that check: an earlier event acknowledged in
                # between is missing from it. Read again; the alert goes out only from a state
                # read after every earlier event was in (an alert id is sent once, so a wrong
                # first one could not be corrected).
                if await self._revision(kv, key) != revision:
                    continue
                await self.alert(js, conversation_id, state)
                stored["alerted"] = True
            body = json.dumps(stored).encode()
            try:
                if revision is None:
                    await kv.create(key, body)
                else:
                    await kv.update(key, body, last=revision)
                return True
            except KeyWrongLastSequenceError:
                continue  # another worker changed it: read again and re-apply
            except Exception as exc:
                if "wrong last sequence" in str(exc).lower():
                    continue
                raise
        raise RuntimeError(f"could not update conversation state after {CAS_ATTEMPTS} tries")

    @staticmethod
    async def _revision(kv: Any, key: str) -> int | None:
        from nats.js.errors import KeyNotFoundError

        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return None
        return int(entry.revision)

    async def _earlier_events_done(self, js: Any, seq: int) -> bool:
        info = await js.consumer_info(self.config.messages_stream, self.config.durable)
        return int(info.ack_floor.stream_seq) >= seq - 1

    async def alert(self, js: Any, conversation_id: str, state: ConversationState) -> None:
        result = state.result(conversation_id)
        payload = {"conversation_id": conversation_id, **result}
        del payload["id"]
        await js.publish(
            self.config.alerts_subject,
            json.dumps(payload).encode(),
            headers={"Nats-Msg-Id": f"alert-{conversation_key(conversation_id)}"},
        )
        self.alerts += 1


def _seq(msg: Any) -> int:
    return int(msg.metadata.sequence.stream)


def run_forever(config: StreamConfig, *, on_ready: Any = None) -> None:
    """Serve until SIGINT or SIGTERM; a stop lets the message in hand finish and be acked."""

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
