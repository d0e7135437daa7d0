"""Scanning a conversation message by message, as a stream: the verdict after message k uses
messages 0..k only.

The first stage (lexicon.py) proposes flags with the quoted words; the guards drop what is
reported speech, education, hyperbole or a plainly benign context; who is speaking matters (the
child's distress is never the suspect's, the suspect's requests are never the child's); the
second stage (model.py), where it is trained, weighs each proposal again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tipline.detect import concepts, lexicon
from tipline.detect.features import features
from tipline.detect.flags import (
    ALERT_THRESHOLD,
    EXTORTION,
    FLAGS,
    OPENING_MESSAGES,
    level_of,
    risk_of,
)
from tipline.detect.model import PROPOSE_AT, default
from tipline.detect.normalise import normalise_all
from tipline.detect.prefilter import PREFILTER

_AGE_CLAIM = re.compile(
    r"\b(?:i am|i'm|im|tengo) (\d{1,2})(?: years old| yo| anos)?\b|"
    r"\b(\d{1,2}) ?(?:yo|years old|anos)\b"
)
_GROWN_LIFE = re.compile(
    r"\b(?:my (?:wife|husband|kids|job|boss|car|truck|apartment|mortgage|office|coworkers?)|"
    r"at work|after work|my shift|when i was in college|i drive|i drove|my license|"
    r"mi (?:esposa|esposo|trabajo|jefe|carro|coche|departamento)|en el trabajo)\b"
)
# A pressure word makes a demand for content a demand even before any threat.
_PRESSURE = re.compile(r"\b(?:or else|or i|unless|right now|now|hurry|o si no|ahora|ya)\b")
_AGAIN = re.compile(r"\b(?:more|another|again|one more|otro|otra|otros|mas|longer|better)\b")
EVIDENCE_CHARS = 120
# What makes a picture asked for a sexual one, named on its own ("swimsuit ones"), and within
# how many messages of the asking.
_KINDS = ("UNDRESS", "SPICY", "HIDDEN")
_KIND_WITHIN = 4
_OUTING = re.compile(
    r"\b(?:beach|pool|lake|swim meet|trying on|outfits?|vacation|trip|playa|alberca|piscina|"
    r"lago|vacaciones|viaje|probando)\b"
)
# Within how many messages a refusal answers the asking.
_REFUSED_WITHIN = 2
DEFAULT = object()


_SPANISH = re.compile(
    r"\b(?:que|de|la|el|los|las|tu|tus|mis|por|para|con|te|una|es|si|ya|mas|"
    r"pero|como|esta|eres|quiero|tengo|hola|mejor|ahora|hoy|dinero|foto|fotos|mandame|pasame|"
    r"dame|dolares|pesos|amigos|escuela|quien|donde|porque|tambien|muy|bien|vamos|pasemos)\b"
)
_ENGLISH = re.compile(
    r"\b(?:the|you|your|to|and|is|i|my|it|on|in|of|for|send|what|if|or|we|are|this|that)\b"
)
_BOTH = frozenset({"en", "es"})


def _languages(norm: str) -> frozenset[str]:
    """Which languages' patterns to run: one language only when the message has two or more of
    its common words and none of the other's; both otherwise (a bare "nudes?", Spanglish).
    Half the patterns, for most messages, and never a guess on a short line."""
    spanish = len(set(_SPANISH.findall(norm)))
    english = len(set(_ENGLISH.findall(norm)))
    if spanish >= 2 and not english:
        return frozenset({"es"})
    if english >= 2 and not spanish:
        return frozenset({"en"})
    return _BOTH


def _threatens(ideas: dict[str, str]) -> bool:
    """More pictures demanded under a threat to publish, in one message (its ideas)."""
    held = ideas.keys()
    published = bool(held & {"PUBLISH", "SEENBY", "GOTO"})
    return published and bool(held & {"CONDITION", "ORI"} and held & {"IMAGE", "MORE"})


def _unexcused(flag: str, ideas: dict[str, str]) -> bool:
    """Words no benign context excuses for this flag."""
    return flag == "platform_migration" and "WATCHED" in ideas


def _worth_trying(
    group: lexicon.FlagPatterns, norm: str, candidates: frozenset[int] | None
) -> Iterable[lexicon.Pattern]:
    """A flag's patterns that may match: those the prefilter named, or all of them when the
    flag's gate finds anything (no prefilter for this message)."""
    if candidates is not None:
        return [p for p, n in zip(group.patterns, group.numbers, strict=True) if n in candidates]
    return group.patterns if group.gate.search(norm) is not None else ()


@dataclass(frozen=True)
class _Reading:
    """One normal form of a message, with the guards every flag shares, found once."""

    text: str
    educational: bool
    reported: re.Match[str] | None
    ideas: dict[str, str]

    @classmethod
    def of(cls, text: str) -> _Reading:
        return cls(
            text,
            lexicon.EDUCATION.search(text) is not None,
            lexicon.REPORTED.search(text),
            concepts.read(text),
        )


@dataclass
class Hit:
    flag: str
    score: float
    message_index: int
    evidence: str
    # Raised in its sender's opening messages (flags.OPENING_MESSAGES).
    opening: bool = False


@dataclass
class ConversationState:
    """Everything the verdict after the next message needs, and nothing more."""

    messages: int = 0
    flags: dict[str, Hit] = field(default_factory=dict)
    suspect: str | None = None
    adult_context: bool = False
    minor_context: bool = False
    sexual_context: bool = False
    # Flags whose plainly benign context (a bill, a game, a surprise) the conversation has shown.
    benign_seen: set[str] = field(default_factory=set)
    claimed_age: dict[str, int] = field(default_factory=dict)
    first_alert_index: int | None = None
    scorer: Any = None  # the second stage (model.SecondStage), when one is used
    previous: str = ""
    second_stage_runs: int = 0
    # Who has been explaining the red flags (lexicon.TEACHING).
    teachers: set[str] = field(default_factory=set)
    # Who has spoken of their own profile (lexicon.SELF_TOLD).
    told: set[str] = field(default_factory=set)
    # Hits waiting for a sexual context before they count (ConversationState._take).
    waiting: dict[str, Hit] = field(default_factory=dict)
    # Whether anyone has said they hold the child's pictures (concepts HOLD with an image).
    holding: bool = False
    # How many messages each sender has sent, for what opens a contact.
    sent: dict[str, int] = field(default_factory=dict)
    # Who last asked for, or offered to trade, a picture: at which message, and its words.
    asked: dict[str, tuple[int, str]] = field(default_factory=dict)
    # The ideas of the last message read (the learned detector reads them as features).
    last_ideas: dict[str, str] = field(default_factory=dict)

    # The stream --------------------------------------------------------------------------------

    def add(self, sender: str, text: str) -> list[Hit]:
        """Read the next message; returns the flags it raised for the first time."""
        index = self.messages
        self.messages += 1
        readings = [_Reading.of(r) for r in normalise_all(text or "")]
        norm = readings[0].text
        self.adult_context = self.adult_context or bool(lexicon.ADULT.search(norm))
        self.minor_context = self.minor_context or bool(lexicon.MINOR.search(norm))
        self.sexual_context = self.sexual_context or bool(lexicon.SEXUAL_CONTEXT.search(norm))
        if sender not in self.teachers and lexicon.TEACHING.search(norm):
            self.teachers.add(sender)
        if sender not in self.told and lexicon.SELF_TOLD.search(norm):
            self.told.add(sender)
        ideas = readings[0].ideas
        self.last_ideas = ideas
        if not self.holding and "HOLD" in ideas and ({"IMAGE", "PUBLISH", "SEENBY"} & ideas.keys()):
            self.holding = True
        for flag, benign in lexicon.BENIGN.items():
            if flag not in self.benign_seen and benign.search(norm):
                self.benign_seen.add(flag)
        found = self._proposals(sender, readings, index)
        slip = self._identity_slip(sender, norm, index)
        if slip is not None:
            found.setdefault(slip.flag, slip)
        if self.scorer is not None and (found or self.flags):
            self._second_stage(found, sender, readings[0], index)
        self._settle(found, sender, readings[0], index)
        self._release(found)
        self.previous = norm
        opening = self.sent.get(sender, 0) < OPENING_MESSAGES
        self.sent[sender] = self.sent.get(sender, 0) + 1
        new: list[Hit] = []
        for flag, hit in found.items():
            held = self.flags.get(flag)
            if held is None:
                # Only a hit of this very message opens a contact; one that waited does not.
                hit.opening = opening and hit.message_index == index
                self.flags[flag] = hit
                new.append(hit)
            elif hit.score > held.score:
                held.score = hit.score
            if flag in lexicon.SUSPECT_FLAGS and self.suspect is None:
                self.suspect = sender
        if self.first_alert_index is None and self.risk >= ALERT_THRESHOLD:
            self.first_alert_index = index
        return new

    def _second_stage(
        self, found: dict[str, Hit], sender: str, reading: _Reading, index: int
    ) -> None:
        """Weigh the first stage's proposals again, and add what the model is sure of."""
        self.second_stage_runs += 1
        norm = reading.text
        suspect = (
            self.suspect
            if self.suspect is not None
            else next((sender for h in found.values() if h.flag in lexicon.SUSPECT_FLAGS), None)
        )
        probs = self.scorer.probabilities(
            features(norm, self.previous, from_suspect=suspect == sender, ideas=reading.ideas)
        )
        # A low probability for a pattern's match mostly means words the model never saw, not
        # words it knows to be harmless: measured on the held-out split, dropping such matches
        # lost most of the distress the patterns had found. So the model only ever adds.
        for flag, hit in found.items():
            hit.score = round(max(hit.score, float(probs[FLAGS.index(flag)])), 3)
        if reading.educational:
            return  # explaining the red flags is never showing them
        for position, flag in enumerate(FLAGS):
            p = float(probs[position])
            if p < PROPOSE_AT or flag in found or flag in self.flags:
                continue
            if flag == "victim_distress" and not lexicon.FEELING.search(norm):
                # The model alone names distress only where a word of feeling is: it once took
                # "i'm so bored" for it (every "i am so..." it had seen was "i am so scared").
                continue
            if self._admissible(flag, sender, reading, None, None):
                self._take(found, Hit(flag, round(p, 3), index, norm[:EVIDENCE_CHARS]), reading)

    def _take(self, found: dict[str, Hit], hit: Hit, reading: _Reading) -> None:
        """Keep an admissible hit; one that means something only in a sexual context (a trade,
        a demand for more) waits for it, with its own message index, when none is seen yet."""
        # Someone holding the child's pictures ("i still have the pic you sent") has shown the
        # context; so has a demand for more under a threat to publish ("send another or I post
        # the first"), even when nothing before did.
        if (
            hit.flag in lexicon.NEEDS_SEXUAL_CONTEXT
            and not self._in_context
            and not _threatens(reading.ideas)
        ):
            self.waiting.setdefault(hit.flag, hit)
        else:
            found[hit.flag] = hit

    def _release(self, found: dict[str, Hit]) -> None:
        """Hits that waited for a sexual context, once one is seen (in words, a first request,
        or a threat): "let's swap, same kind" is a trade once "the kind you don't show anyone"
        follows."""
        if not self.waiting:
            return
        context = {"rapid_sexual_request", *EXTORTION} & (found.keys() | self.flags.keys())
        if not (self.sexual_context or context):
            return
        for flag, hit in self.waiting.items():
            if flag not in self.flags:
                found.setdefault(flag, hit)
        self.waiting.clear()

    def _proposals(self, sender: str, readings: list[_Reading], index: int) -> dict[str, Hit]:
        found: dict[str, Hit] = {}
        for reading in readings:
            if reading.educational:
                # Explaining the red flags is never showing them: no pattern can count here.
                continue
            norm = reading.text
            candidates = PREFILTER.candidates(norm)
            for group in lexicon.BY_LANGUAGES[_languages(norm)]:
                flag = group.flag
                # A flag already raised keeps its first message and words: no need to look again.
                if flag in self.flags or flag in found:
                    continue
                for pattern in _worth_trying(group, norm, candidates):
                    match = pattern.regex.search(norm)
                    if match is None or not self._admissible(
                        flag, sender, reading, match.start(), match.group(0)
                    ):
                        continue
                    evidence = match.group(0)[:EVIDENCE_CHARS]
                    self._take(found, Hit(flag, pattern.weight, index, evidence), reading)
                    break
            # Then the ideas: the same flags in words no pattern lists.
            if sender in self.teachers:
                continue
            kind = self._kind_named(sender, reading, index)
            if kind is not None:
                self._take(found, kind, reading)
            for flag, phrases in concepts.proposals(reading.ideas, in_context=self._in_context):
                if flag in self.flags or flag in found:
                    continue
                # One phrase may carry two ideas ("than most adults": praise and an age).
                evidence = " … ".join(dict.fromkeys(phrases))
                start = max(norm.find(phrases[0]), 0)
                if self._admissible(flag, sender, reading, start, evidence):
                    hit = Hit(flag, concepts.WEIGHT, index, evidence[:EVIDENCE_CHARS])
                    self._take(found, hit, reading)
        return found

    def _admissible(  # noqa: PLR0911 - one guard a line reads best
        self,
        flag: str,
        sender: str,
        reading: _Reading,
        start: int | None,
        words: str | None,
    ) -> bool:
        """The guards: are these words of the reading (found from `start`; None when the model
        proposes the flag for the whole message) the flag, here, from this speaker? (Education
        is ruled out before: an educational reading is never searched.)"""
        norm, reported = reading.text, reading.reported
        # "My cousin wants to message you" is a second persona speaking, not a retelling; and
        # one who speaks for another ("this is sam's brother") relays, not retells, what the
        # other "says".
        persona = (
            flag == "multiple_identities" and words is not None and " you" in f" {words}"
        ) or self._relaying(sender)
        at = len(norm) if start is None else start
        if reported is not None and reported.start() <= at and not persona:
            return False
        # The words before, ending in one space whether or not the match began with one.
        if start is not None and lexicon.NEGATED.search(
            norm[max(0, start - 24) : start].rstrip() + " "
        ):
            return False
        if flag == "social_media_reconnaissance" and (
            self.told - {sender} or lexicon.SELF_TOLD.search(norm)
        ):
            return False
        if flag == "victim_distress":
            return sender != self.suspect and not lexicon.HYPERBOLE.search(norm)
        if flag in lexicon.SUSPECT_FLAGS and self.suspect is not None and sender != self.suspect:
            # The child retelling or pleading about what was asked ("you want me to send
            # more?") is not the child doing it.
            return False
        # A bill, a game or a surprise excuses the words only while nothing else is wrong, and
        # never a move made to get away from who watches ("add me on discord, no mods there").
        if flag in self.benign_seen and not self.flags and not _unexcused(flag, reading.ideas):
            return False
        local = lexicon.MESSAGE_BENIGN.get(flag)
        if local is not None and local.search(norm):
            return False
        if flag == "financial_demand" and lexicon.MONEY_OFFERED.search(norm):
            return False
        if flag in lexicon.ADULT_EXEMPT and self.adult_context and not self.minor_context:
            return False
        if flag == "identity_misrepresentation" and concepts.FLATTERY & reading.ideas.keys():
            return False  # "you seem older" inside praise is flattery, not a lie caught
        if flag == "content_demand":
            earlier = {"rapid_sexual_request", *EXTORTION} & self.flags.keys()
            # "Another", "more", "again": the words themselves say something was sent before.
            return bool(
                earlier
                or _threatens(reading.ideas)
                or _PRESSURE.search(norm)
                or _AGAIN.search(words if words is not None else norm)
            )
        return True

    @property
    def _in_context(self) -> bool:
        """Whether the conversation has shown what it is about: words of a sexual kind, a first
        request, someone holding the child's pictures, or a threat."""
        return (
            self.sexual_context
            or self.holding
            or not self.flags.keys().isdisjoint({"rapid_sexual_request", *EXTORTION})
        )

    def _settle(self, found: dict[str, Hit], sender: str, reading: _Reading, index: int) -> None:
        """What one message's flags say together, and what it leaves for the next."""
        norm, ideas = reading.text, reading.ideas
        if "deepfake_threat" in found or "account_compromise" in found:
            # "I can make anyone look naked... want me to show you" is the fake, and "send me the
            # code so i can see your pics" the break-in: not a request for pictures, nor a
            # detail studied from a profile.
            found.pop("rapid_sexual_request", None)
            found.pop("social_media_reconnaissance", None)
        # "you creep lol" between siblings is teasing, not a refusal.
        teasing = lexicon.HYPERBOLE.search(norm) is not None
        refused = (
            None
            if teasing or self._retelling(sender, reading)
            else self._refused(sender, ideas, index)
        )
        if refused is not None:
            hit, asker = refused
            self.suspect = asker  # the one who asked, not the child who refused
            found.setdefault(hit.flag, hit)
        # A picture asked for, or a trade offered ("i sent u something, ur turn now").
        if (
            ("ASK" in ideas and ("IMAGE" in ideas or "VAGUEPIC" in ideas))
            or "TRADE" in ideas
            or "reciprocation" in found
            or "reciprocation" in self.waiting
        ):
            self.asked[sender] = (index, norm[:EVIDENCE_CHARS])

    def _kind_named(self, sender: str, reading: _Reading, index: int) -> Hit | None:
        """A picture asked for or traded, then its kind named in a later message: "wanna swap
        pics?" ... "the kind u keep in your hidden folder", "what kind of pics" ... "swimsuit
        ones". The request is the two together; it is marked where the kind is named."""
        flag = "rapid_sexual_request"
        asked = self.asked.get(sender)
        if asked is None or not 0 < index - asked[0] <= _KIND_WITHIN or flag in self.flags:
            return None
        named = [reading.ideas[k] for k in _KINDS if k in reading.ideas]
        # Friends choosing the beach photos ("the one where we're all in bikinis lol") name a
        # kind too: laughter or a swimming trip makes it theirs.
        if not named or _OUTING.search(reading.text) or lexicon.HYPERBOLE.search(reading.text):
            return None
        start = max(reading.text.find(named[0]), 0)
        if not self._admissible(flag, sender, reading, start, named[0]):
            return None
        return Hit(flag, concepts.WEIGHT, index, " … ".join(named)[:EVIDENCE_CHARS])

    def _retelling(self, sender: str, reading: _Reading) -> bool:
        """Teaching, or telling what someone else said: never the thing itself."""
        return reading.educational or reading.reported is not None or sender in self.teachers

    def _refused(self, sender: str, ideas: dict[str, str], index: int) -> tuple[Hit, str] | None:
        """A picture asked for, and the other side's reply refuses it as improper ("that's
        creepy", "i'm only 13"): the reply tells what the request was, in whatever words it came.
        The request (marked at the asking, raised at the reply), and who asked."""
        flag = "rapid_sexual_request"
        if "REFUSE" not in ideas or flag in self.flags:
            return None
        asks = [
            (at, words, who)
            for who, (at, words) in self.asked.items()
            if who != sender and 0 < index - at <= _REFUSED_WITHIN and self.suspect in (None, who)
        ]
        if not asks:
            return None
        at, words, who = max(asks)
        return Hit(flag, concepts.WEIGHT, at, f"{words} … {ideas['REFUSE']}"[:EVIDENCE_CHARS]), who

    def _relaying(self, sender: str) -> bool:
        """Whether this sender has spoken as, or for, a second persona."""
        hit = self.flags.get("multiple_identities")
        return hit is not None and self.suspect == sender

    def _identity_slip(self, sender: str, norm: str, index: int) -> Hit | None:
        """A claimed age that the same sender's own words then contradict."""
        if "identity_misrepresentation" in self.flags:
            return None
        for match in _AGE_CLAIM.finditer(norm):
            age = int(match.group(1) or match.group(2))
            if not 8 <= age <= 80:
                continue
            before = self.claimed_age.get(sender)
            self.claimed_age[sender] = age
            if before is not None and abs(before - age) >= 2:
                return Hit("identity_misrepresentation", 0.8, index, match.group(0))
        claimed = self.claimed_age.get(sender)
        grown = _GROWN_LIFE.search(norm)
        if claimed is not None and claimed < 18 and grown is not None:
            return Hit("identity_misrepresentation", 0.8, index, grown.group(0))
        return None

    # The verdict -------------------------------------------------------------------------------

    def context(self) -> list[str]:
        """What the rules have seen of the conversation's setting, as the learned detector
        reads it (learned.context_grams)."""
        seen = [f"benign:{f}" for f in sorted(self.benign_seen)]
        for name in ("adult_context", "minor_context", "sexual_context", "holding"):
            if getattr(self, name):
                seen.append(name)
        if self.teachers:
            seen.append("teacher")
        if self.suspect is not None:
            seen.append("suspect_known")
        return seen

    @property
    def risk(self) -> float:
        return risk_of(
            {flag: hit.score for flag, hit in self.flags.items()},
            frozenset(flag for flag, hit in self.flags.items() if hit.opening),
        )

    @property
    def level(self) -> str:
        return level_of(frozenset(self.flags))

    def result(self, conversation_id: str) -> dict[str, Any]:
        return result_of(conversation_id, self.flags, self.risk, self.first_alert_index)


def result_of(
    conversation_id: str, flags: dict[str, Hit], risk: float, first_alert_index: int | None
) -> dict[str, Any]:
    """The DESIGN.md result of a conversation's flags, in the order they were marked."""
    ordered = sorted(flags.values(), key=lambda h: (h.message_index, FLAGS.index(h.flag)))
    return {
        "id": conversation_id,
        "risk": risk,
        "level": level_of(frozenset(flags)),
        "flags": [
            {
                "flag": h.flag,
                "score": round(h.score, 3),
                "message_index": h.message_index,
                "evidence": h.evidence,
            }
            for h in ordered
        ],
        "first_alert_index": first_alert_index,
        "victim_distress": "victim_distress" in flags,
    }


def explain(conversation: dict[str, Any], scorer: Any = DEFAULT) -> dict[str, Any]:
    """The scan, message by message, as a reviewer reads it: after each message, the risk so far,
    the flags it raised (a flag raised here may be marked at an earlier message: a trade that
    waited for its context, a request the child's refusal revealed), and whether the alert
    fired here. The last entry's risk is the result's."""
    state = ConversationState(scorer=_scorer(scorer))
    steps = []
    for message in conversation.get("messages", []):
        new = state.add(str(message.get("sender", "")), str(message.get("text", "")))
        index = state.messages - 1
        steps.append(
            {
                "index": index,
                "sender": str(message.get("sender", "")),
                "risk": state.risk,
                "raised": [
                    {"flag": h.flag, "message_index": h.message_index, "evidence": h.evidence}
                    for h in new
                ],
                "alert": state.first_alert_index == index,
            }
        )
    return {"result": state.result(str(conversation.get("id", ""))), "messages": steps}


def _scorer(scorer: Any) -> Any:
    if scorer is DEFAULT:
        return default()
    return scorer


def scan(conversation: dict[str, Any], scorer: Any = DEFAULT) -> dict[str, Any]:
    """One conversation in the DESIGN.md format in, its result out (both stages, unless a
    `scorer` is given: None runs the first stage alone)."""
    state = ConversationState(scorer=_scorer(scorer))
    for message in conversation.get("messages", []):
        state.add(str(message.get("sender", "")), str(message.get("text", "")))
    return state.result(str(conversation.get("id", "")))
