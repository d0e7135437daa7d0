"""Synthetic test media, made on the fly: gradients, shapes and noise. Never anything else."""

from __future__ import annotations

import io

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


def mp4(seconds: int = 3, fps: int = 10, size: tuple[int, int] = (160, 120)) -> bytes:
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(seconds * fps):
            frame = av.VideoFrame.from_image(synthetic_image(i // fps, size))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()
