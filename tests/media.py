"""Synthetic test media, made on the fly: gradients, shapes and noise. Never anything else."""

from __future__ import annotations

import io

import av
import numpy as np
from PIL import Image


def synthetic_image(seed: int = 0, size: tuple[int, int] = (640, 480)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [
            (x * (1 + seed % 3) / w * 255) % 256,
            (y * (2 + seed % 5) / h * 255) % 256,
            ((x + y) * 0.2 + seed * 37) % 256,
        ],
        axis=-1,
    )
    for _ in range(6):
        cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(20, max(21, h // 3))
        mask = (x - cx) ** 2 + (y - cy) ** 2 < r**2
        base[mask] = rng.integers(0, 256, size=3)
    noise = rng.normal(0, 6, size=base.shape)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def encode(img: Image.Image, fmt: str = "JPEG", **kwargs: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def jpeg(seed: int = 0, size: tuple[int, int] = (640, 480), quality: int = 90) -> bytes:
    return encode(synthetic_image(seed, size), "JPEG", quality=quality)


def png_bomb(side: int = 20_000) -> bytes:
    """A tiny PNG that claims a huge canvas: a decompression bomb."""
    return encode(Image.new("L", (side, side), 0), "PNG", optimize=True)


def _video(
    fmt: str, codec: str, *, seconds: int, fps: int, size: tuple[int, int], first_seed: int
) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 2_000_000
        for i in range(seconds * fps):
            frame = av.VideoFrame.from_image(synthetic_image(first_seed + i // fps, size))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def mp4(seconds: int = 3, fps: int = 10, size: tuple[int, int] = (160, 120)) -> bytes:
    return _video("mp4", "mpeg4", seconds=seconds, fps=fps, size=size, first_seed=0)


def webm(seconds: int = 4, fps: int = 10, size: tuple[int, int] = (320, 240)) -> bytes:
    """A VP8 WebM, which every Chromium build plays (Debian's need not have H.264)."""
    return _video("webm", "libvpx", seconds=seconds, fps=fps, size=size, first_seed=100)


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A photo-like synthetic scene: smooth random colour fields, shapes and sensor noise. Each
    seed is its own scene (PDQ about 128 bits from any other), unlike the gradients above."""
    rng = np.random.default_rng(10_000 + seed)
    w, h = size
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    img = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    base = np.asarray(img, dtype=np.float64)
    y, x = np.mgrid[0:h, 0:w]
    for _ in range(8):
        cx, cy = rng.integers(0, w), rng.integers(0, h)
        rx, ry = rng.integers(15, w // 4), rng.integers(15, h // 4)
        mask = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1
        base[mask] = rng.integers(0, 256, size=3)
    noise = rng.normal(0, 4, size=base.shape)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
