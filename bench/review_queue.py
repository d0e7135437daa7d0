"""Benchmark: the console's queue page (the first page, a filtered page, a deep page) and the
related-reports lookup at 100,000 and 1,000,000 reports on PostgreSQL, p95 latency, against a
plain indexed SELECT of one page in the same run.

The reports are generated inside PostgreSQL (generate_series): about 4% open, the rest referred
or closed, as in a working hotline; each offender handle recurs in about five reports, each
payment handle in about ten; one open report in fifty has information added by its reporter.
The queue pages are fetched through the whole app (session, CSRF, the count, templates)
in-process: the first page as an analyst opens it, a filtered page (FILTERED below: four
filters combined, sorted by deadline) and page 20 of the priority order. The related lookup is
`review.bundling.related` on a random report; the baseline is the first page's SELECT alone.
Targets (issues 5 and 20): p95 under 150 ms at 1,000,000 reports, first and filtered page.

Run: `make bench-queue` (prints JSON; SIZES=100000,1000000 by default; BENCH_ROUNDS).
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pgbench import filled_database, p95_ms, run_sizes, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
SIZES = [int(s) for s in os.environ.get("SIZES", "100000,1000000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
DB_NAME = "tipline_bench_queue"

_FILL = """
INSERT INTO reports (id, case_number, source, incident_type, description, sextortion, financial,
  self_harm_risk, child_in_danger, minor_to_minor, annotations, demands, lang, status,
  received_at, extra, priority_tier, priority_reason, legal_hold, due_at, last_activity_at,
  info_added_at)
SELECT md5(i::text),
  'TL-B' || lpad(i::text, 9, '0'),
  CASE WHEN i % 3 = 0 THEN 'esp' ELSE 'public' END, 'online_enticement',
  'An account asked for pictures and then demanded money.', true, i % 2 = 0, i % 97 = 0,
  i % 89 = 0, false, '[]', '[]', 'en',
  CASE WHEN i % 25 = 0 THEN 'received' WHEN i % 3 = 0 THEN 'closed' ELSE 'referred' END,
  now() - (i % 500000) * interval '1 minute', '{}', 1 + (i % 4), 'by age', false,
  now() - (i % 500000) * interval '1 minute'
    + (CASE 1 + (i % 4) WHEN 1 THEN 1 WHEN 2 THEN 4 WHEN 3 THEN 24 ELSE 72 END) * interval '1 hour',
  now() - (i % 500000) * interval '1 minute' + (i % 7) * interval '1 hour',
  CASE WHEN i % 50 = 0 THEN now() - (i % 1000) * interval '1 minute' END
FROM generate_series(1, :n) AS i;
INSERT INTO online_accounts (id, report_id, role, platform, handle, handle_normalised, created_at)
SELECT md5('a' || i), md5(i::text), 'suspect', 'ExampleGram', 'offender_' || (i % (:n / 5)),
  'offender_' || (i % (:n / 5)), now() FROM generate_series(1, :n) AS i;
INSERT INTO payment_details (id, report_id, method, handle, handle_normalised, created_at)
SELECT md5('p' || i), md5(i::text), 'cash_app', '$pay_' || (i % (:n / 10)),
  'pay_' || (i % (:n / 10)), now() FROM generate_series(1, :n, 2) AS i;
INSERT INTO people (id, report_id, role, age, country, region, contact_normalised, created_at)
SELECT md5('v' || i), md5(i::text), 'victim', 12 + i % 6, 'US', 'US-CA',
  CASE WHEN i % 4 = 0 THEN 'teen' || (i % (:n / 3)) || '@example.test' END, now()
FROM generate_series(1, :n) AS i;
"""
BASELINE = text(
    "SELECT id, case_number, priority_tier, received_at FROM reports"
    " WHERE status IN ('received', 'triaged') ORDER BY priority_tier, received_at LIMIT 50"
)
FILTERED = "/console?tier=2&source=esp&lang=en&claim=unclaimed&sort=deadline"
DEEP = "/console?page=20"


def run(size: int, home: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from accounts import make_user, sign_in
    from tipline.app import create_app
    from tipline.config import Settings, write_master_key
    from tipline.reports import service as reports
    from tipline.review import bundling

    database, fill_s = filled_database(DB_NAME, _FILL, size)
    url = str(database.engine.url.render_as_string(hide_password=False))
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    # The audit appender's seal finds its key through the environment's home, as a server does.
    os.environ["TIPLINE_HOME"] = str(home)
    settings = Settings(home=home, database_url=url)
    home.mkdir(parents=True, exist_ok=True)
    write_master_key(home / "master.key")
    app = create_app(settings, database)
    rng = random.Random(5)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        sign_in(client, make_user(database, "analyst", email=f"bench{size}@example.test"))

        def fetch(url: str) -> Callable[[], None]:
            def get() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.text[:300]
                assert " of " in response.text  # the count is on the page

            return get

        queue_samples = timed(fetch("/console"), ROUNDS)
        filtered_samples = timed(fetch(FILTERED), ROUNDS)
        deep_samples = timed(fetch(DEEP), ROUNDS)
    with database.session() as db_session:
        ids = list(db_session.scalars(text("SELECT id FROM reports ORDER BY random() LIMIT 500")))
        reports_by_id = [reports.get_report(db_session, ref=i) for i in ids[:ROUNDS]]

        def lookup() -> None:
            bundling.related(db_session, report=rng.choice(reports_by_id))

        related_samples = timed(lookup, ROUNDS)

        def baseline() -> None:
            db_session.execute(BASELINE).all()

        baseline_samples = timed(baseline, ROUNDS)
    database.dispose()
    base = p95_ms(baseline_samples)
    return {
        "reports": size,
        "fill_s": fill_s,
        "queue_page_p95_ms": p95_ms(queue_samples),
        "filtered_page_p95_ms": p95_ms(filtered_samples),
        "filtered_page": FILTERED,
        "page_20_p95_ms": p95_ms(deep_samples),
        "related_p95_ms": p95_ms(related_samples),
        "baseline_select_p95_ms": base,
        "queue_page_over_baseline": round(p95_ms(queue_samples) / base, 1),
        "filtered_page_over_baseline": round(p95_ms(filtered_samples) / base, 1),
        "related_over_baseline": round(p95_ms(related_samples) / base, 1),
        "target_p95_ms": 150,
    }


def main() -> None:
    run_sizes("queue", SIZES, run)


if __name__ == "__main__":
    main()
