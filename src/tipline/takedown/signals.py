"""Signal types of the take-down list and the checks every submitted hash passes.

A victim's browser sends hashes only. Anything that is not exactly a hash of a known type (a
wrong length, a stray character, a field that could carry file content) is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

from tipline.errors import BadInput


class SignalType(StrEnum):
    PDQ = "pdq"
    VPDQ = "vpdq"
    SHA256 = "sha256"
    MD5 = "md5"


HEX_LENGTH = {SignalType.PDQ: 64, SignalType.SHA256: 64, SignalType.MD5: 32}
_HEX = re.compile(r"[0-9a-f]+")
# One hour of video at one frame a second.
MAX_VPDQ_FRAMES = 3600


@dataclass(frozen=True)
class VpdqFrame:
    frame: int
    quality: int
    pdq: str
    seconds: float


def parse_type(name: str) -> SignalType:
    try:
        return SignalType(name)
    except ValueError:
        known = ", ".join(t.value for t in SignalType)
        raise BadInput(
            f"unknown hash type {name!r}: use one of {known}", code="unknown_hash_type"
        ) from None


def normalise(signal_type: SignalType, value: str) -> str:
    """The stored form of a hash, or a 400 saying what is wrong with it."""
    if signal_type is SignalType.VPDQ:
        return format_vpdq(parse_vpdq(value))
    value = value.strip().lower()
    length = HEX_LENGTH[signal_type]
    if len(value) != length or not _HEX.fullmatch(value):
        raise BadInput(
            f"a {signal_type.value} hash is {length} hexadecimal digits", code="malformed_hash"
        )
    return value


def lookup_key(signal_type: SignalType, value: str) -> str:
    """What an exact lookup compares: the hash, or for a video the SHA-256 of its frame list."""
    if signal_type is SignalType.VPDQ:
        return hashlib.sha256(value.encode()).hexdigest()
    return value


def parse_vpdq(value: str) -> list[VpdqFrame]:
    """ThreatExchange's vPDQ text: one `frame,quality,pdq hex,seconds` line per frame."""
    lines = [line.strip() for line in value.strip().splitlines() if line.strip()]
    if not lines:
        raise BadInput("a vpdq hash has at least one frame", code="malformed_hash")
    if len(lines) > MAX_VPDQ_FRAMES:
        raise BadInput(f"a vpdq hash has at most {MAX_VPDQ_FRAMES} frames", code="too_many_frames")
    frames = []
    for number, line in enumerate(lines, 1):
        parts = line.split(",")
        try:
            if len(parts) != 4:
                raise ValueError
            frame, quality, pdq, seconds = int(parts[0]), int(parts[1]), parts[2].lower(), parts[3]
            when = float(seconds)
            if frame < 0 or not 0 <= quality <= 100 or not when >= 0:
                raise ValueError
            if len(pdq) != 64 or not _HEX.fullmatch(pdq):
                raise ValueError
        except ValueError:
            raise BadInput(
                f"vpdq line {number} is not frame,quality,pdq,seconds", code="malformed_hash"
            ) from None
        frames.append(VpdqFrame(frame, quality, pdq, round(when, 3)))
    return frames


def format_vpdq(frames: list[VpdqFrame]) -> str:
    return "\n".join(f"{f.frame},{f.quality},{f.pdq},{f.seconds:.3f}" for f in frames)


def distinct_frames(frames: list[VpdqFrame]) -> list[str]:
    """The distinct frame hashes, in order: a still scene adds one hash, not sixty."""
    return list(dict.fromkeys(f.pdq for f in frames))


# The eight rotations and flips, from the hash alone ------------------------------------------
#
# Bit (i, j) of a PDQ hash says whether DCT coefficient (i, j) of the 64x64 luma is above the
# median. Mirroring the image left to right negates the coefficients of odd j, top to bottom those
# of odd i, and a transpose swaps i and j. The median of PDQ's coefficients sits close to zero,
# so a negated coefficient's bit mostly just inverts: these transforms land within a few bits of
# the hash of the transformed image (tests/takedown/test_takedown_index.py measures how close).

# ThreatExchange's names and order (pdqhash.compute_dihedral's too): flipx turns the image upside
# down, flipy mirrors it left to right, flipplus1 and flipminus1 mirror it about a diagonal.
TRANSFORMS = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flipplus1",
    "flipminus1",
)


def _grid(pdq: str) -> list[list[int]]:
    # The hex reads the coefficients row by row from (0, 0), most significant bit first.
    words = [int(pdq[k : k + 4], 16) for k in range(0, 64, 4)]
    return [[(words[i] >> (15 - j)) & 1 for j in range(16)] for i in range(16)]


def _hex(grid: list[list[int]]) -> str:
    words = [sum(bit << (15 - j) for j, bit in enumerate(row)) for row in grid]
    return "".join(f"{w:04x}" for w in words)


def dihedral(pdq: str) -> dict[str, str]:
    """The hash of each rotation and flip of the image, estimated from its hash."""
    grid = _grid(pdq)

    def signed(g: list[list[int]], odd_i: bool, odd_j: bool) -> list[list[int]]:
        return [
            [bit ^ ((odd_i and i % 2) ^ (odd_j and j % 2)) for j, bit in enumerate(row)]
            for i, row in enumerate(g)
        ]

    def transposed(g: list[list[int]]) -> list[list[int]]:
        return [list(col) for col in zip(*g, strict=True)]

    t = transposed(grid)
    return {
        "original": pdq,
        "rotate90": _hex(signed(t, True, False)),
        "rotate180": _hex(signed(grid, True, True)),
        "rotate270": _hex(signed(t, False, True)),
        "flipx": _hex(signed(grid, True, False)),
        "flipy": _hex(signed(grid, False, True)),
        "flipplus1": _hex(t),
        "flipminus1": _hex(signed(t, True, True)),
    }
