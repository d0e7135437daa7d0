"""Writing a record and its children in one round trip.

On PostgreSQL, one statement with a data-modifying CTE per table (foreign keys are checked at the
end of the statement, so children may name a parent inserted beside them). Elsewhere, one
insert per table. Intake writes a report, its people, accounts and payment details this way:
each statement saved is CPU saved on the hot path (bench/intake.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, insert, text
from sqlalchemy.orm import Session


def insert_tables(db_session: Session, batches: list[tuple[Table, list[dict[str, Any]]]]) -> None:
    batches = [(table, rows) for table, rows in batches if rows]
    if db_session.get_bind().dialect.name != "postgresql" or len(batches) < 2:
        for table, rows in batches:
            db_session.execute(insert(table), rows)
        return
    clauses, params = [], []
    for t_index, (table, rows) in enumerate(batches):
        columns = list(rows[0])
        values = []
        for r_index, row in enumerate(rows):
            names = []
            for c_index, column in enumerate(columns):
                name = f"p{t_index}_{r_index}_{c_index}"
                names.append(f":{name}")
                params.append(bindparam(name, row[column], type_=table.c[column].type))
            values.append(f"({', '.join(names)})")
        # Only names from the table's own metadata reach the SQL text (table.c[...] above raises
        # for anything else); every value is a bound parameter.
        quoted = ", ".join(f'"{table.c[c].name}"' for c in columns)
        clauses.append(
            f'INSERT INTO "{table.name}" ({quoted}) VALUES {", ".join(values)}'  # noqa: S608
        )
    *ctes, last = clauses
    sql = "WITH " + ", ".join(f"w{i} AS ({c})" for i, c in enumerate(ctes)) + " " + last
    db_session.execute(text(sql).bindparams(*params))
