"""Benchmark: `/numbers` at 100,000 and 1,000,000 reports on PostgreSQL, p95 latency, against a
direct GROUP BY over the reports table in the same run.

The reports are generated inside PostgreSQL (generate_series) over three years, with victims
(ages and genders), platforms named, demands, triage and referral times; the rollup is then
built by `tipline stats --rebuild`'s own code (rollup.rebuild, timed). `/numbers` is fetched
through the whole app in-process (templates, charts, suppression), as is `GET /api/v1/stats`
and the staff's figures for one year filtered by platform. The baseline is one query a page
without a rollup would need at the least: reports by month and incident type, straight from
the reports table.
Target (issue 8): p95 under 100 ms at 1,000,000 reports.

Run: `make bench-stats` (prints JSON; SIZES=100000,1000000 by default; BENCH_ROUNDS).
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from pgbench import filled_database, p95_ms, run_sizes, timed

SIZES = [int(s) for s in os.environ.get("SIZES", "100000,1000000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
DB_NAME = "tipline_bench_stats"

_FILL = """
INSERT INTO reports (id, case_number, source, incident_type, description, sextortion, financial,
  self_harm_risk, child_in_danger, minor_to_minor, annotations, demands, lang, status,
  received_at, triaged_at, referred_at, extra, priority_tier, priority_reason, legal_hold)
SELECT md5(i::text), 'TL-S' || lpad(i::text, 9, '0'),
  (ARRAY['public', 'esp', 'esp', 'detector'])[1 + i % 4],
  (ARRAY['online_enticement', 'online_enticement', 'child_pornography',
         'misleading_words_or_digital_images', 'unsolicited_obscene_material'])[1 + i % 5],
  '', i % 3 <> 0, i % 3 = 1, false, false, false, '[]',
  (ARRAY['["money"]', '["images"]', '[]', '["money", "images"]'])[1 + i % 4]::json, 'en',
  CASE WHEN i % 25 = 0 THEN 'received' WHEN i % 3 = 0 THEN 'closed' ELSE 'referred' END,
  timestamptz '2024-01-01' + ((i::bigint * 7919) % 1095) * interval '1 day'
    + (i % 1440) * interval '1 minute',
  CASE WHEN i % 25 <> 0 THEN timestamptz '2024-01-01'
       + ((i::bigint * 7919) % 1095) * interval '1 day'
       + (i % 1440 + 5 + i % 300) * interval '1 minute' END,
  CASE WHEN i % 25 <> 0 AND i % 3 <> 0 THEN timestamptz '2024-01-01'
       + ((i::bigint * 7919) % 1095) * interval '1 day'
       + (i % 1440 + 600 + i % 5000) * interval '1 minute' END,
  '{}', 1 + (i % 4), 'by age', false
FROM generate_series(1, :n) AS i;
INSERT INTO people (id, report_id, role, age, gender, country, created_at)
SELECT md5('v' || i), md5(i::text), 'victim', CASE WHEN i % 11 = 0 THEN NULL ELSE 10 + i % 9 END,
  (ARRAY['male', 'male', 'female', NULL])[1 + i % 4], 'US', now()
FROM generate_series(1, :n) AS i;
INSERT INTO online_accounts (id, report_id, role, platform, handle, handle_normalised, created_at)
SELECT md5('a' || i), md5(i::text), 'suspect',
  (ARRAY['Instagram', 'Snapchat', 'Discord', 'Roblox', 'TikTok', 'Telegram', 'Kik',
         'X'])[1 + i % 8],
  'offender_' || (i % 50000), 'offender_' || (i % 50000), now()
FROM generate_series(1, :n) AS i;
"""
BASELINE = text(
    "SELECT date_trunc('month', received_at) AS m, incident_type, count(*) FROM reports"
    " GROUP BY 1, 2"
)


def run(size: int, home: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from tipline.app import create_app
    from tipline.config import Settings, write_master_key
    from tipline.stats import rollup
    from tipline.stats import service as stats

    database, fill_s = filled_database(DB_NAME, _FILL, size)
    url = str(database.engine.url.render_as_string(hide_password=False))
    started = time.perf_counter()
    with database.session() as db_session:
        rollup.rebuild(db_session)
    rebuild_s = round(time.perf_counter() - started, 1)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        cells = conn.execute(text("SELECT count(*) FROM stat_cells")).scalar_one()
    settings = Settings(home=home, database_url=url)
    home.mkdir(parents=True, exist_ok=True)
    write_master_key(home / "master.key")
    app = create_app(settings, database)
    with TestClient(app, base_url="http://127.0.0.1") as client:

        def page() -> None:
            response = client.get("/numbers")
            assert response.status_code == 200

        def api() -> None:
            assert client.get("/api/v1/stats").status_code == 200

        page_samples = timed(page, ROUNDS)
        api_samples = timed(api, ROUNDS)
    with database.session() as db_session:

        def staff() -> None:
            stats.staff(
                db_session, start=date(2025, 1, 1), end=date(2025, 12, 31), platform="discord"
            )

        staff_samples = timed(staff, ROUNDS)

        def baseline() -> None:
            db_session.execute(BASELINE).all()

        baseline_samples = timed(baseline, max(5, ROUNDS // 10))
    database.dispose()
    base = p95_ms(baseline_samples)
    return {
        "reports": size,
        "fill_s": fill_s,
        "rebuild_s": rebuild_s,
        "stat_cells": cells,
        "numbers_page_p95_ms": p95_ms(page_samples),
        "api_p95_ms": p95_ms(api_samples),
        "staff_year_by_platform_p95_ms": p95_ms(staff_samples),
        "baseline_group_by_p95_ms": base,
        "baseline_over_numbers_page": round(base / p95_ms(page_samples), 1),
        "target_p95_ms": 100,
    }


def main() -> None:
    run_sizes("stats", SIZES, run)


if __name__ == "__main__":
    main()
