"""Red flags of sextortion and grooming in conversations (shared/RED-FLAGS.md).

Usable alone as a library:

    from tipline.detect import scan
    scan({"id": "c1", "messages": [{"sender": "a", "text": "..."}]})

returns the DESIGN.md result: risk, level, flags with the first message and the quoted words,
the first alert index as if streaming, and whether the child shows distress. `explain` gives
the same, message by message (the risk after each, what each raised, where the alert fired).
"""

from tipline.detect.engine import ConversationState, explain, scan
from tipline.detect.flags import ALERT_THRESHOLD, FLAGS

__all__ = ["ALERT_THRESHOLD", "FLAGS", "ConversationState", "explain", "scan"]
