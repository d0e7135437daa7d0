"""Intake hashing: PDQ agrees with the reference vectors; bad files get clear 4xx errors."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import PDQ_VECTORS
from media import encode, jpeg, mp4, png_bomb, synthetic_image
from tipline.errors import BadInput, TooLarge
from tipline.evidence import hashing

LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pixels": 64_000_000}


def _vectors() -> list[tuple[str, str]]:
    with (PDQ_VECTORS / "expected.csv").open() as fh:
        return [
            (row["image"], row["pdq_reference_python"] or row["pdq_reference_wasm"])
            for row in csv.DictReader(fh)
        ]


@pytest.mark.parametrize(("image", "expected"), _vectors())
def test_pdq_agrees_with_the_reference(image: str, expected: str) -> None:
    result = hashing.hash_bytes((PDQ_VECTORS / "images" / image).read_bytes(), **LIMITS)
    assert result.pdq is not None
    assert len(result.pdq) == 64
    if result.pdq_quality == 100:
        assert hashing.hamming(result.pdq, expected) <= 16
    else:
        # Low-quality images are there to check that quality is reported, not the hash.
        assert result.pdq_quality is not None
        assert result.pdq_quality < 50
        assert result.notes


def test_digests_match_hashlib() -> None:
    data = jpeg(1)
    result = hashing.hash_bytes(data, **LIMITS)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.md5 == hashlib.md5(data).hexdigest()  # noqa: S324 - MD5 is what NCMEC asks for
    assert result.media_type == "image/jpeg"
    assert (result.width, result.height) == (640, 480)


def test_type_comes_from_content_not_name() -> None:
    assert hashing.sniff(encode(synthetic_image(2), "PNG")) == "image/png"
    assert hashing.sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert hashing.sniff(b"just some text") == "application/octet-stream"


def test_exif_orientation_is_applied() -> None:
    img = synthetic_image(3)
    upright = hashing.hash_bytes(encode(img.rotate(90, expand=True), "JPEG", quality=95), **LIMITS)
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 clockwise to view": the stored pixels are turned on their side
    sideways = hashing.hash_bytes(encode(img, "JPEG", quality=95, exif=exif), **LIMITS)
    assert upright.pdq
    assert sideways.pdq
    assert hashing.hamming(upright.pdq, sideways.pdq) <= 16


def test_heic_is_decoded() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    img = synthetic_image(4)
    try:
        heif = pillow_heif.from_pillow(img)
        buf = io.BytesIO()
        heif.save(buf, quality=90)
    except (ValueError, RuntimeError, OSError) as exc:
        pytest.skip(f"this pillow-heif has no HEIC encoder: {exc}")
    result = hashing.hash_bytes(buf.getvalue(), **LIMITS)
    assert result.media_type in {"image/heic", "image/heif"}
    reference = hashing.hash_bytes(encode(img, "PNG"), **LIMITS)
    assert result.pdq
    assert reference.pdq
    assert hashing.hamming(result.pdq, reference.pdq) <= 24


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(TooLarge) as info:
        hashing.hash_bytes(png_bomb(), **LIMITS)
    assert info.value.status_code == 413


def test_oversized_file_is_refused() -> None:
    with pytest.raises(TooLarge):
        hashing.hash_bytes(jpeg(5), max_bytes=1000, max_pixels=LIMITS["max_pixels"])


def test_corrupt_image_is_a_clear_400() -> None:
    data = jpeg(6)
    truncated = data[: len(data) // 3]
    with pytest.raises(BadInput) as info:
        hashing.hash_bytes(truncated[:200] + b"\x00" * 50, **LIMITS)
    assert info.value.status_code == 400


def test_vpdq_hashes_one_frame_per_second() -> None:
    result = hashing.hash_bytes(mp4(seconds=3), **LIMITS)
    assert result.media_type == "video/mp4"
    assert result.vpdq is not None
    assert [round(f["ts"]) for f in result.vpdq] == [0, 1, 2]
    assert all(len(f["pdq"]) == 64 for f in result.vpdq)
    # Each second shows a different synthetic picture, so the frame hashes differ.
    assert hashing.hamming(result.vpdq[0]["pdq"], result.vpdq[2]["pdq"]) > 32


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=4096))
def test_any_bytes_hash_or_fail_cleanly(data: bytes) -> None:
    try:
        result = hashing.hash_bytes(data, **LIMITS)
    except (BadInput, TooLarge):
        return
    assert result.sha256 == hashlib.sha256(data).hexdigest()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=2**256 - 1)
)
def test_hamming_is_a_metric_on_pdq_hex(a: int, b: int) -> None:
    ha, hb = f"{a:064x}", f"{b:064x}"
    assert hashing.hamming(ha, ha) == 0
    assert hashing.hamming(ha, hb) == hashing.hamming(hb, ha) == (a ^ b).bit_count()
