"""Near matches between stored files by PDQ (and the frames of vPDQ), found through an index.

The sixteen 16-bit slices of each hash are rows in `pdq_bands`; a query looks up its own sixteen
slices, which reaches every stored hash within distance 15 (pigeonhole) and, in practice, most
up to 31; each candidate is then measured in full, so nothing beyond the threshold is returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tipline.evidence.models import EvidenceFile, PdqBand

BANDS = 16
# Meta's recommended PDQ match threshold.
PDQ_THRESHOLD = 31
# A long video's frames are many; the distinct ones, up to this many, are indexed.
MAX_FRAMES_INDEXED = 64


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def slices(pdq_hex: str) -> list[tuple[int, int]]:
    return [(band, int(pdq_hex[band * 4 : band * 4 + 4], 16)) for band in range(BANDS)]


def perceptual_hashes(record: EvidenceFile) -> list[str]:
    """The file's PDQ, or the distinct PDQs of its video frames."""
    found: list[str] = []
    if record.pdq:
        found.append(record.pdq)
    for frame in record.vpdq or []:
        value = frame.get("pdq")
        if isinstance(value, str) and len(value) == 64 and value not in found:
            found.append(value)
        if len(found) >= MAX_FRAMES_INDEXED:
            break
    return found


def index_file(record: EvidenceFile) -> None:
    """Attach the band rows for the file's perceptual hashes (written with the file's row)."""
    rows = {pair for value in perceptual_hashes(record) for pair in slices(value)}
    have = {(b.band, b.value) for b in record.bands}
    record.bands.extend(PdqBand(band=band, value=value) for band, value in sorted(rows - have))


@dataclass(frozen=True)
class NearFile:
    file: EvidenceFile
    distance: int


def near_files(
    db_session: Session,
    *,
    hashes: Iterable[str],
    exclude_report: str | None = None,
    threshold: int = PDQ_THRESHOLD,
    limit: int = 200,
) -> list[NearFile]:
    """Stored files whose PDQ (or a frame's) lies within `threshold` of any of `hashes`."""
    queries = [h for h in dict.fromkeys(hashes) if h]
    if not queries:
        return []
    pairs = {pair for value in queries for pair in slices(value)}
    candidate_ids = (
        select(PdqBand.file_id)
        .where(or_(*(and_(PdqBand.band == b, PdqBand.value == v) for b, v in sorted(pairs))))
        .distinct()
        .limit(limit * 10)
    )
    stmt = select(EvidenceFile).where(
        EvidenceFile.id.in_(candidate_ids), EvidenceFile.status == "stored"
    )
    if exclude_report:
        stmt = stmt.where(EvidenceFile.report_id != exclude_report)
    found = []
    for record in db_session.scalars(stmt):
        distance = min(hamming(q, h) for q in queries for h in perceptual_hashes(record))
        if distance <= threshold:
            found.append(NearFile(record, distance))
    found.sort(key=lambda near: near.distance)
    return found[:limit]
