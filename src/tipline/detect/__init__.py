"""Red flags of sextortion and grooming in conversations (shared/RED-FLAGS.md).

Usable alone as a library:

    from tipline.detect import scan
    scan({"id": "c1", "messages": [{"sender": "a", "text": "..."}]})

reads it with the learned detector (learned.py; the rules of engine.py are its evidence) and
returns the DESIGN.md result: risk, level, flags with the first message and the quoted words,
the first alert index as if streaming, and whether the child shows distress. `explain` gives
the same, message by message (the risk after each, what each raised, where the alert fired).
"""

from tipline.detect.detector import Detection, explain, new_state, scan
from tipline.detect.engine import ConversationState
from tipline.detect.flags import ALERT_THRESHOLD, FLAGS

__all__ = [
    "ALERT_THRESHOLD",
    "FLAGS",
    "ConversationState",
    "Detection",
    "explain",
    "new_state",
    "scan",
]
