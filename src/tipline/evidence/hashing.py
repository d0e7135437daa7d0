"""Intake hashing: SHA-256 and MD5 for every file, PDQ for images, vPDQ for videos.

PDQ comes from the `pdqhash` package (Meta's reference C++); hex is the 256 bits in the
reference order, which agrees with ../shared/pdq-vectors. vPDQ follows ThreatExchange's
definition: the PDQ of one frame per second, each with its frame number, quality and time.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

import av
import filetype
import numpy as np
import pdqhash
from PIL import Image, ImageOps

from tipline.errors import BadInput, TooLarge, UnsupportedMedia

try:  # HEIC is how iPhones save photos; without it a victim's screenshot may not hash.
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a dependency, but stay usable without it
    pass

IMAGE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/heic",
    "image/heif",
    "image/avif",
}
VIDEO_TYPES = {
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-matroska",
    "video/x-msvideo",
    "video/3gpp",
    "video/mpeg",
    "video/x-m4v",
}
PDQ_HEX_LEN = 64


@dataclass
class FileHashes:
    media_type: str
    size: int
    sha256: str
    md5: str
    pdq: str | None = None
    pdq_quality: int | None = None
    vpdq: list[dict[str, Any]] | None = None
    width: int | None = None
    height: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.media_type in IMAGE_TYPES

    @property
    def is_video(self) -> bool:
        return self.media_type in VIDEO_TYPES


def sniff(data: bytes) -> str:
    """The media type from the content itself; a file's name or declared type is never trusted."""
    kind = filetype.guess(data[:8192])
    if kind is None:
        return "application/octet-stream"
    mime: str = kind.mime
    return mime


def digests(data: bytes) -> tuple[str, str]:
    return hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest()


def pdq_hex(bits: Any) -> str:
    return bytes(np.packbits(np.asarray(bits, dtype=np.uint8))).hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def pixel_count(data: bytes) -> int:
    """Width x height from an image's header, without decoding it; 0 for anything else.

    What decoding will cost, known before paying it: intake charges it to the sender's budget.
    """
    if sniff(data) not in IMAGE_TYPES:
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return 0
    return int(width) * int(height)


def decode_image(data: bytes, *, max_pixels: int) -> Image.Image:
    """Decode with a decompression-bomb guard and the EXIF orientation applied."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            width, height = img.size
            # The header is read, the pixels are not: refuse before decoding.
            if width * height > max_pixels:
                raise TooLarge(
                    f"image is {width}x{height} pixels, over the limit of {max_pixels} "
                    "(possible decompression bomb)",
                    code="image_too_large",
                )
            img.load()
            ImageOps.exif_transpose(img, in_place=True)
            # Always a plain Image, even from RGB: numpy reads a decoder's ImageFile through a
            # slower path, which made PDQ about 10% slower in bench/vault.py.
            return img.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge("image is too large to decode safely", code="image_too_large") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise BadInput(f"image could not be decoded: {exc}", code="corrupt_image") from None


def pdq_of_image(img: Image.Image) -> tuple[str, int]:
    bits, quality = pdqhash.compute(np.asarray(img))
    return pdq_hex(bits), int(quality)


def vpdq_of_video(data: bytes, *, fps: float = 1.0, max_frames: int = 3600) -> list[dict[str, Any]]:
    """PDQ of one frame per second (vPDQ). Each entry: frame, quality, pdq, ts (seconds)."""
    out: list[dict[str, Any]] = []
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.video[0]
            next_ts = 0.0
            for index, frame in enumerate(container.decode(stream)):
                ts = float(frame.time) if frame.time is not None else index / 30.0
                if ts + 1e-6 < next_ts:
                    continue
                pdq, quality = pdq_of_image(frame.to_image().convert("RGB"))
                out.append({"frame": index, "quality": quality, "pdq": pdq, "ts": round(ts, 3)})
                next_ts += 1.0 / fps
                while next_ts <= ts:
                    next_ts += 1.0 / fps
                if len(out) >= max_frames:
                    break
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise BadInput(f"video could not be decoded: {exc}", code="corrupt_video") from None
    if not out:
        raise BadInput("video has no decodable frames", code="corrupt_video")
    return out


def hash_bytes(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    perceptual: bool = True,
) -> FileHashes:
    """Every intake hash of one file. Raises a 4xx error for what cannot be accepted."""
    if len(data) > max_bytes:
        raise TooLarge(f"file is {len(data)} bytes, over the limit of {max_bytes}")
    if not data:
        raise BadInput("file is empty", code="empty_file")
    media_type = sniff(data)
    sha256, md5 = digests(data)
    result = FileHashes(media_type=media_type, size=len(data), sha256=sha256, md5=md5)
    if not perceptual:
        return result
    if result.is_image:
        img = decode_image(data, max_pixels=max_pixels)
        result.width, result.height = img.size
        result.pdq, result.pdq_quality = pdq_of_image(img)
        if result.pdq_quality < 50:
            result.notes.append("low PDQ quality: the image has too little detail to match well")
    elif result.is_video:
        result.vpdq = vpdq_of_video(data)
    return result


def require_known_type(hashes: FileHashes, allowed: set[str] | None) -> None:
    if allowed is not None and hashes.media_type not in allowed:
        raise UnsupportedMedia(f"files of type {hashes.media_type} are not accepted here")
