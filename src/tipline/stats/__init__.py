"""By the numbers: rollups kept up to date from the audit log, small counts suppressed."""
