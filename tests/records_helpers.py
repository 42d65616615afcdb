"""Reading what the window and text mode stored, for tests: the records database's sessions, oldest first."""
from __future__ import annotations


def stored(url: str | None = None) -> list[dict]:
    """Every stored session as {uid, status, detail, trainee, mode, log, result, report_problem}; status as
    the record files said it ("complete", "in progress", "abandoned: <why>", "incomplete")."""
    from simulator.records.store import Store
    store = Store.open(url, recover=False)
    try:
        rows = list(reversed(store.listing()))
        out = []
        for row in rows:
            status = {"in-progress": "in progress"}.get(row.status, row.status)
            if row.status == "abandoned":
                status = f"abandoned: {row.status_detail}"
            log = store.log(row.uid)
            out.append({"uid": row.uid, "status": status, "detail": row.status_detail,
                        "trainee": row.display_name or ("guest" if row.pseudonym is None else row.pseudonym),
                        "mode": row.mode, "log": log, "result": row.result, "scenario": log[0]["scenario"],
                        "report_problem": row.report_problem})
        return out
    finally:
        store.close()
