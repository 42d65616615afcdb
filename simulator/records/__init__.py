"""Training records: the database of trainees, cohorts and sessions (SQLite or PostgreSQL), and the
reports and exports made from it (HTML, CSV, xAPI). See docs/records.md."""
