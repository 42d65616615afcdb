"""Workshop feedback on a scenario for its authors (issue #15): a CSV file and an HTML summary.

Community members in a co-design workshop rate a scenario after playing it (the window's feedback
form, simulator/ui/screens/feedback.py): realism, fairness and respect for the people portrayed,
each 1-5 or left blank, what they would change, and anything else. `parley feedback SCENARIO`
(simulator/cli/feedback.py) reads it all back from the records database (`Store.feedback_listing`)
and writes:

- the CSV, one row per response, oldest first (FEEDBACK_COLUMNS; documented in docs/records.md),
  with cells a spreadsheet would run as a formula neutralised by csv_export's own writer;
- the HTML summary, one self-contained page in the look of the other reports (reports.py's Jinja2
  environment, autoescaped, and templates/_style.css.j2): each rating's distribution, median and
  mean, then every "what would you change" and comment, newest first, with its date and the
  version of the scenario file it was given on.

Responses name a trainee only by pseudonymous id, and only in the CSV: the authors' page quotes
what was said, never who said it. The rating words (RATINGS) are shared with the form, so the
page and the form always ask and answer in the same terms.
"""
from __future__ import annotations

import statistics

from ..i18n import N_, _, language, ngettext
from .csv_export import _csv

# Each rating: its column, its name, the question the form asks, and the words for 1 and for 5.
RATINGS = (
    ("realism", N_("Realism"), N_("How true to life did it feel?"), N_("not at all realistic"),
     N_("completely realistic")),
    ("fairness", N_("Fairness"), N_("How fair was it, to the person and to the officer?"), N_("very unfair"),
     N_("completely fair")),
    ("respect", N_("Respect"), N_("How respectfully were the people in it portrayed?"), N_("disrespectful"),
     N_("fully respectful")),
)
SCALE = range(1, 6)
FEEDBACK_COLUMNS = ["created_at", "scenario", "scenario_version", "session", "trainee", "realism", "fairness",
                    "respect", "change", "comment"]
FEEDBACK_WORDS = {
    "report_title": N_("Workshop feedback"), "scenario_id": N_("Scenario id"), "responses": N_("Responses"),
    "period": N_("Period"), "ratings": N_("Ratings"), "rating": N_("Rating"), "not_rated": N_("Not rated"),
    "median": N_("Median"), "mean": N_("Mean"), "by_version": N_("Median ratings by version of the file"),
    "version": N_("Version"), "changes": N_("What they would change"), "comments": N_("Anything else"),
    "none": N_("None."), "empty_title": N_("No feedback yet"),
    "explain": N_("Ratings run from 1 to 5; a rating left blank counts as not rated. The median and the mean "
                  "count only those who rated. Newest responses first."),
    "empty": N_("No workshop feedback on this scenario is stored in this database yet. It is given in the "
                "window's workshop mode: the debrief's \"Feedback on this scenario\" button opens the form."),
    "generated": N_("Made by Parley on {date}."),
}


def rating_anchors(low: str, high: str) -> str:
    """"1 = not at all realistic, 5 = completely realistic", in the interface language."""
    return _("1 = {low}, 5 = {high}").format(low=_(low), high=_(high))


def feedback_rows(store, scenario_id: str) -> list[dict]:
    """Every response on `scenario_id`, oldest first, as plain dicts with FEEDBACK_COLUMNS' values
    (`Store.feedback_listing`). Raises DatabaseError."""
    return [{"created_at": row.created_at, "scenario": row.scenario_id, "scenario_version": row.scenario_version,
             "session": row.session_uid, "trainee": row.pseudonym, "realism": row.realism,
             "fairness": row.fairness, "respect": row.respect, "change": row.change, "comment": row.comment}
            for row in store.feedback_listing(scenario_id)]


def feedback_csv(rows: list[dict]) -> bytes:
    """The CSV of `rows` (`feedback_rows`): UTF-8, a header row, one row per response, formula cells
    neutralised as in every CSV Parley writes (csv_export), line breaks in text kept inside their cell."""
    return _csv(FEEDBACK_COLUMNS, ([row[c] for c in FEEDBACK_COLUMNS] for row in rows))


def _rated(rows: list[dict], column: str) -> list[int]:
    return [row[column] for row in rows if isinstance(row[column], int) and row[column] in SCALE]


def rating_summary(rows: list[dict], column: str) -> dict:
    """One rating over `rows`: counts of 1..5, how many left it blank, and the median and mean of
    those who rated (None when nobody did)."""
    rated = _rated(rows, column)
    return {"counts": {k: rated.count(k) for k in SCALE}, "not_rated": len(rows) - len(rated),
            "median": statistics.median(rated) if rated else None,
            "mean": statistics.fmean(rated) if rated else None}


def _number(value: float | None, pattern: str) -> str:
    """A median or mean as people read it in the interface language ("3.5", "3,5"); "" for none."""
    if value is None:
        return ""
    from babel.numbers import format_decimal
    try:
        return format_decimal(value, format=pattern, locale=language())
    except (ValueError, LookupError):
        return f"{value:.1f}".rstrip("0").rstrip(".") if pattern == "0.#" else f"{value:.1f}"


def median_words(value: float | None) -> str:
    """A median: "4", "3.5"; "" when nobody rated."""
    return _number(value, "0.#")


def mean_words(value: float | None) -> str:
    """A mean, to one decimal: "3.7"; "" when nobody rated."""
    return _number(value, "0.0")


def versions(rows: list[dict]) -> list[tuple[str, int]]:
    """The versions of the scenario file the responses were given on, in the order they first
    appear (oldest first), each with how many responses it has."""
    seen: dict[str, int] = {}
    for row in rows:
        key = row["scenario_version"] or ""
        seen[key] = seen.get(key, 0) + 1
    return list(seen.items())


def summary_line(scenario: str, rows: list[dict]) -> str:
    """One line for the command line: how many responses, and each rating's median."""
    if not rows:
        return _("No workshop feedback on {scenario} yet.").format(scenario=scenario)
    medians = []
    for column, name, *_rest in RATINGS:
        median = rating_summary(rows, column)["median"]
        medians.append(_("{rating} {median}").format(rating=_(name), median=median_words(median) if
                                                     median is not None else "-"))
    return _("{responses} on {scenario}; median ratings: {medians}.").format(
        responses=ngettext("{n} response", "{n} responses", len(rows)).format(n=len(rows)), scenario=scenario,
        medians=", ".join(medians))


def _version_words(version: str) -> str:
    return version if version else _("unknown")


def render_feedback_report(scenario_id: str, rows: list[dict], *, title: str | None = None,
                           current_version: str | None = None) -> str:
    """The authors' HTML page for `scenario_id` from `rows` (`feedback_rows`, oldest first). `title`
    and `current_version` come from the scenario file when it is known."""
    from .reports import _day as day_words
    from .reports import _environment, _now, _parse_time, _when, _words
    w = _words(FEEDBACK_WORDS)
    found = versions(rows)
    header = [(w["scenario_id"], scenario_id)]
    if found:
        listed = ", ".join(_("{version} ({responses})").format(
            version=_version_words(v), responses=ngettext("{n} response", "{n} responses", n).format(n=n))
            for v, n in found)
        header.append((w["version"] if len(found) == 1 else _("Versions"), listed))  # a label, not a count
    if current_version and not found:
        header.append((w["version"], current_version))
    elif current_version and (len(found) > 1 or current_version not in dict(found)):
        header.append((_("The file now"), _("version {version}").format(version=current_version)))
    header.append((w["responses"], str(len(rows))))
    first, last = (_parse_time(rows[0]["created_at"]), _parse_time(rows[-1]["created_at"])) if rows else (None, None)
    if first and last:
        header.append((w["period"], day_words(first.date()) if first.date() == last.date() else
                       _("{first} to {last}").format(first=day_words(first.date()), last=day_words(last.date()))))
    ratings = []
    for column, name, question, low, high in RATINGS:
        stats = rating_summary(rows, column)
        most = max(stats["counts"].values()) or 1
        ratings.append({"name": _(name), "question": _(question), "anchors": rating_anchors(low, high),
                        "cells": [{"n": stats["counts"][k], "share": round(100 * stats["counts"][k] / most)}
                                  for k in SCALE],
                        "not_rated": stats["not_rated"], "median": median_words(stats["median"]),
                        "mean": mean_words(stats["mean"])})
    by_version = []
    if len(found) > 1:  # did a revision of the file change how it was received?
        for version, n in found:
            mine = [row for row in rows if (row["scenario_version"] or "") == version]
            by_version.append({"version": _version_words(version), "responses": n,
                               "medians": [median_words(rating_summary(mine, column)["median"])
                                           for column, *_rest in RATINGS]})
    newest = list(reversed(rows))

    def said(column: str) -> list[dict]:
        return [{"text": row[column].strip(), "when": _when(row["created_at"]),
                 "version": _("version {version}").format(version=_version_words(row["scenario_version"] or ""))}
                for row in newest if isinstance(row[column], str) and row[column].strip()]

    view = {"lang": language(), "w": w, "title": title or scenario_id, "header": header, "empty": not rows,
            "ratings": ratings, "scale": list(SCALE), "by_version": by_version,
            "rating_names": [_(name) for _column, name, *_rest in RATINGS],
            "changes": said("change"), "comments": said("comment"),
            "generated": w["generated"].format(date=_when(_now()))}
    return _environment().get_template("feedback.html.j2").render(**view)
