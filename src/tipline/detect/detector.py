"""A conversation read as a stream, by the learned detector with the rules as its evidence
(learned.py); the rules alone (engine.py) where no learned model ships.

`Detection` has the interface the stream, the API and the CLI use: `add` a message, then the
flags so far, the risk, the level, the first alert and the result. The verdict after message k
uses messages 0..k only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipline.detect import learned
from tipline.detect.engine import EVIDENCE_CHARS, ConversationState, Hit, result_of
from tipline.detect.flags import FLAGS, OPENING_MESSAGES, level_of, risk_of
from tipline.detect.model import default as default_second_stage

DEFAULT: Any = object()


@dataclass
class Detection:
    """The learned detector's state over one conversation: the rules' state (its evidence) and
    the flags the model has raised."""

    model: learned.LearnedModel | None
    point: str = "balanced"
    rules: ConversationState = field(default_factory=ConversationState)
    flags: dict[str, Hit] = field(default_factory=dict)
    messages: int = 0
    first_alert_index: int | None = None
    first_speaker: str | None = None
    last_sender: str | None = None
    previous_ideas: list[str] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    _pending_setting: list[int] = field(default_factory=list)
    # The last message's features and words (for training and for --explain).
    last_grams: list[str] = field(default_factory=list)
    last_indices: np.ndarray | None = None
    # The setting: every word and idea of the messages before, once each; with a model, the sum
    # of their weights, kept as the conversation goes so a message costs only its own words.
    setting_seen: set[int] = field(default_factory=set)
    setting_sum: np.ndarray | None = None
    # The setting's features before the last message (training reads them with the message's).
    last_setting: np.ndarray | None = None

    def observe(self, sender: str, text: str) -> tuple[list[Hit], list[str]]:
        """Read a message through the rules and build what the model reads of it."""
        index = self.messages
        self.messages += 1
        previous = self.rules.previous
        rule_new = self.rules.add(sender, text)
        norm = self.rules.previous
        own = self.sent.get(sender, 0)
        context = {
            "ideas": self.rules.last_ideas.keys(),
            "previous_ideas": self.previous_ideas,
            "previous": previous,
            "from_suspect": int(self.rules.suspect == sender),
            "first_speaker": int(self.first_speaker in (None, sender)),
            "same_as_last": int(self.last_sender == sender),
            "index": index,
            "own": own,
            "rule_new": sorted({h.flag for h in rule_new}),
            "rule_has": sorted(self.rules.flags),
            "state": self.rules.context(),
        }
        if self.first_speaker is None:
            self.first_speaker = sender
        self.last_sender = sender
        self.sent[sender] = own + 1
        self.previous_ideas = sorted(self.rules.last_ideas)
        text_part = learned.text_grams(norm)
        grams = text_part + learned.context_grams(context)
        self.last_grams = text_part
        self.last_indices = learned.hashed(grams)
        if self.model is None:  # training reads the setting as it stood before this message
            self.last_setting = np.fromiter(self.setting_seen, dtype=np.int64)
        added = learned.rows(learned.setting_grams(norm, self.rules.last_ideas))
        self._pending_setting = list(added - self.setting_seen)
        return rule_new, grams

    def _grow_setting(self) -> None:
        """After the verdict on a message, its words join the setting of the next."""
        fresh = self._pending_setting
        self.setting_seen.update(fresh)
        if self.model is not None and fresh:
            assert self.setting_sum is not None  # noqa: S101 - set in _decide
            self.setting_sum += self.model.scaled[fresh].sum(axis=0)
        self._pending_setting = []

    def add(self, sender: str, text: str) -> list[Hit]:
        """Read the next message; returns the flags it raised for the first time."""
        index = self.messages
        rule_new, _ = self.observe(sender, text)
        if self.model is None:  # the rules alone decide
            self.flags, self.first_alert_index = self.rules.flags, self.rules.first_alert_index
            self._grow_setting()
            return rule_new
        new = self._decide(index, sender, {h.flag: h for h in rule_new})
        self._grow_setting()
        # Every flag the model raises has passed a threshold set so that at most the operating
        # point's share of everyday conversations raise any: so the first flag alerts. (The
        # rules needed the weighted risk to cross ALERT_THRESHOLD, because a lone pattern match
        # on a move to another app was common between friends; held out, that policy warned
        # before the threat in 6 of 9 and 8 of 11 extortion conversations.)
        if self.first_alert_index is None and self.flags:
            self.first_alert_index = index
        return new

    def _decide(self, index: int, sender: str, rule_new: dict[str, Hit]) -> list[Hit]:
        assert self.model is not None  # noqa: S101 - only called with a model
        assert self.last_indices is not None  # noqa: S101 - observe() set it
        if self.setting_sum is None:
            self.setting_sum = np.zeros(self.model.weights.shape[1], dtype=np.float32)
        probs = learned.combined(self.model.probabilities(self.last_indices, self.setting_sum))
        for flag, held in self.flags.items():
            held.score = max(held.score, round(float(probs[FLAGS.index(flag)]), 3))
        crossing = np.flatnonzero(probs >= self.model.thresholds[self.point])
        opening = self.sent.get(sender, 0) <= OPENING_MESSAGES
        new = []
        for position in map(int, crossing):
            flag = FLAGS[position]
            p = float(probs[position])
            if flag in self.flags:
                continue
            ruled = rule_new.get(flag)
            if ruled is not None:
                evidence = ruled.evidence
            else:
                evidence = " … ".join(self.model.evidence(self.last_grams, position))
                evidence = evidence or self.rules.previous[:EVIDENCE_CHARS]
            hit = Hit(flag, round(p, 3), index, evidence[:EVIDENCE_CHARS], opening)
            self.flags[flag] = hit
            new.append(hit)
        return new

    @property
    def risk(self) -> float:
        """flags.py's risk over the flags raised, for display and ordering. A flag the model
        raised has passed its calibrated threshold, so it counts in full (its probability is
        reported on the flag, not discounted again here). The alert does not wait for this
        risk: the first flag raised alerts (see add)."""
        if self.model is None:
            return self.rules.risk
        return risk_of(
            dict.fromkeys(self.flags, 1.0),
            frozenset(flag for flag, hit in self.flags.items() if hit.opening),
        )

    @property
    def level(self) -> str:
        return level_of(frozenset(self.flags))

    def result(self, conversation_id: str) -> dict[str, Any]:
        return result_of(conversation_id, self.flags, self.risk, self.first_alert_index)


def new_state(model: Any = DEFAULT, point: str = "balanced") -> Detection:
    """A fresh conversation: the shipped learned model unless `model` says otherwise. Without
    one (None, or none shipped) the rules decide alone, with their own second stage; with one,
    the rules run without it, exactly as the model was trained to read them."""
    chosen = learned.default() if model is DEFAULT else model
    scorer = default_second_stage() if chosen is None else None
    return Detection(model=chosen, point=point, rules=ConversationState(scorer=scorer))


def _messages(conversation: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for message in conversation.get("messages", []):
        yield str(message.get("sender", "")), str(message.get("text", ""))


def scan(
    conversation: dict[str, Any], model: Any = DEFAULT, point: str = "balanced"
) -> dict[str, Any]:
    """One conversation in the DESIGN.md format in, its result out, at an operating point
    (learned.OPERATING_POINTS)."""
    state = new_state(model, point)
    for sender, text in _messages(conversation):
        state.add(sender, text)
    return state.result(str(conversation.get("id", "")))


def explain(
    conversation: dict[str, Any], model: Any = DEFAULT, point: str = "balanced"
) -> dict[str, Any]:
    """The scan, message by message, as a reviewer reads it: after each message, the risk so far,
    the flags it raised with the words that show them, and whether the alert fired here."""
    state = new_state(model, point)
    steps = []
    for sender, text in _messages(conversation):
        new = state.add(sender, text)
        index = state.messages - 1
        steps.append(
            {
                "index": index,
                "sender": sender,
                "risk": state.risk,
                "raised": [
                    {"flag": h.flag, "message_index": h.message_index, "evidence": h.evidence}
                    for h in new
                ],
                "alert": state.first_alert_index == index,
            }
        )
    return {"result": state.result(str(conversation.get("id", ""))), "messages": steps}
