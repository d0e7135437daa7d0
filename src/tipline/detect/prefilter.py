"""Which patterns can match a message, found in one pass for all of them.

Trying each flag's patterns in turn is most of the first stage's time, and most messages match
none. RE2's Set (the google-re2 package) runs every pattern it can compile as one automaton: one
pass over the message names the few patterns worth running through Python's `re`, which still
finds the words, their position and the guards. Patterns RE2 cannot run (lookarounds) are always
tried; a message with letters outside ASCII is left to `re` entirely, because RE2's `\\w` and
`\\b` are ASCII-only and would miss there. Without google-re2 installed the engine falls back to
one alternation per flag (lexicon.FlagPatterns.gate): slower, the same answers.
"""

from __future__ import annotations

from typing import Any

from tipline.detect.lexicon import PATTERNS

_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


class Prefilter:
    def __init__(self) -> None:
        self._set: Any = None
        self._numbers: list[int] = []
        self.always: frozenset[int] = frozenset()
        always = []
        try:
            # Optional: google-re2 may not build everywhere; the pure-Python path still works.
            import re2  # type: ignore[import-untyped]  # noqa: PLC0415
        except ImportError:
            return
        compiled = re2.Set.SearchSet(re2.Options())
        for number, pattern in enumerate(PATTERNS):
            source = pattern.regex.pattern
            if any(mark in source for mark in _LOOKAROUND):
                always.append(number)
                continue
            compiled.Add(source)
            self._numbers.append(number)
        compiled.Compile()
        self._set = compiled
        self.always = frozenset(always)

    @property
    def active(self) -> bool:
        return self._set is not None

    def candidates(self, norm: str) -> frozenset[int] | None:
        """The numbers (indices into lexicon.PATTERNS) of the patterns that may match, or None
        when every pattern has to be tried."""
        if self._set is None or not norm.isascii():
            return None
        found = self._set.Match(norm) or ()
        return self.always.union(self._numbers[i] for i in found)


PREFILTER = Prefilter()
