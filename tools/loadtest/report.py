"""The load test's figures and verdicts, from what the clients saw and what the cluster kept.

Pure functions (tests/test_loadtest.py): the percentile table per kind of request, and the
counts after a run — receipts the residents got against the reports the database holds for
their keys, duplicates, 500s shown to a resident, refusals without their form, photos that
cannot be read back."""

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

KINDS = ("scan", "submission", "receipt", "queue")


def percentile(values, q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of `values`; 0.0 when there are none."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[min(rank, len(ordered)) - 1])


def kind_rows(requests, seconds: float) -> list[dict]:
    """One row per request name: count, failures, requests/s over `seconds`, p50/p95/p99/max
    in ms. `requests` are dicts with name, ms and ok."""
    by_name = defaultdict(list)
    failures = Counter()
    for request in requests:
        by_name[request["name"]].append(request["ms"])
        failures[request["name"]] += 0 if request["ok"] else 1
    order = {name: index for index, name in enumerate(KINDS)}
    rows = []
    for name in sorted(by_name, key=lambda n: (order.get(n, len(order)), n)):
        times = by_name[name]
        rows.append(
            {
                "kind": name,
                "requests": len(times),
                "failures": failures[name],
                "per_second": round(len(times) / seconds, 2) if seconds > 0 else 0.0,
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "p99_ms": round(percentile(times, 99), 1),
                "max_ms": round(max(times), 1),
            }
        )
    return rows


def kind_table(rows: list[dict]) -> str:
    header = f"{'kind':<18}{'requests':>9}{'failed':>8}{'per s':>8}{'p50':>9}{'p95':>9}{'p99':>9}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['kind']:<18}{r['requests']:>9}{r['failures']:>8}{r['per_second']:>8.2f}"
            f"{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}"
        )
    lines.append("(times in ms, from sending the request to the whole answer read)")
    return "\n".join(lines)


@dataclass
class Counts:
    """What one run ended with. The names after `photos` must be 0 for the run to pass."""

    residents: int = 0
    receipts: int = 0
    reports_for_keys: int = 0
    refused: int = 0
    resends: int = 0
    resent_after_503: int = 0
    photos: int = 0
    pages_5xx: int = 0
    lost: int = 0
    duplicates: int = 0
    unacknowledged: int = 0
    gave_up: int = 0
    shown_500: int = 0
    refused_without_form: int = 0
    photos_unreadable: int = 0
    photos_processing: int = 0
    notes: list[str] = field(default_factory=list)

    MUST_BE_ZERO = (
        "lost",
        "duplicates",
        "unacknowledged",
        "gave_up",
        "shown_500",
        "refused_without_form",
        "photos_unreadable",
        "photos_processing",
    )

    @property
    def ok(self) -> bool:
        return self.receipts == self.reports_for_keys and all(
            getattr(self, name) == 0 for name in self.MUST_BE_ZERO
        )

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


# The pages a resident sees (the managers' queue is staff's).
RESIDENT_PAGES = ("scan", "receipt", "submission: form")


def counts(submissions, stored, photos, requests=()) -> Counts:
    """The counts of one run.

    submissions: what each resident saw, dicts with marker, token ("" without a receipt),
      outcome ("receipt", "refused", "gave_up"), statuses (every answer, in order; 0 for a
      dropped connection), refused_with_form (the refusal showed the form and its text).
    stored: (marker, report id, receipt token) for each report of this run in the database.
    photos: dicts with marker, state ("ready", "processing", or "" before photos had states)
      and readable (every file it names could be read back from the storage).
    requests: every request (name, status): a 500 on a page a resident sees counts too;
      other 5xx there (nginx's 502-504, a 503 "try again") are only counted.
    """
    result = Counts(residents=len(submissions))
    for request in requests:
        if request["name"] in RESIDENT_PAGES and request["status"] >= 500:
            if request["status"] == 500:
                result.shown_500 += 1
                result.notes.append(f"a 500 on a resident's page ({request['name']})")
            else:
                result.pages_5xx += 1
    reports_by_marker = defaultdict(set)
    tokens = set()
    for marker, report_id, token in stored:
        reports_by_marker[marker].add(report_id)
        tokens.add(token)
    for sent in submissions:
        statuses = sent["statuses"]
        result.resends += max(0, len(statuses) - 1)
        result.shown_500 += sum(1 for status in statuses if status == 500)
        if sent["outcome"] == "receipt":
            result.receipts += 1
            if sent["token"] not in tokens:
                result.lost += 1
                result.notes.append(f"{sent['marker']}: receipt {sent['token']} not stored")
            if 503 in statuses[:-1]:
                result.resent_after_503 += 1
        elif sent["outcome"] == "refused":
            result.refused += 1
            if not sent.get("refused_with_form"):
                result.refused_without_form += 1
                result.notes.append(f"{sent['marker']}: refused ({statuses}) without the form")
        else:
            result.gave_up += 1
            result.notes.append(f"{sent['marker']}: no receipt after {statuses}")
        reports = reports_by_marker.get(sent["marker"], set())
        if sent["outcome"] == "receipt" and reports:
            result.reports_for_keys += 1
        elif sent["outcome"] != "receipt" and reports:
            result.unacknowledged += 1
            result.notes.append(f"{sent['marker']}: stored but the resident got no receipt")
    for marker, reports in reports_by_marker.items():
        if len(reports) > 1:
            result.duplicates += len(reports) - 1
            result.notes.append(f"{marker}: {len(reports)} reports for one key")
    for photo in photos:
        result.photos += 1
        if photo["state"] == "processing":
            result.photos_processing += 1
            result.notes.append(f"{photo['marker']}: a photo is still processing")
        elif not photo["readable"]:
            result.photos_unreadable += 1
            result.notes.append(f"{photo['marker']}: a photo cannot be read back")
    return result


COLUMNS = (
    ("residents", "residents"),
    ("receipts", "receipts"),
    ("reports_for_keys", "stored"),
    ("refused", "refused"),
    ("resends", "resends"),
    ("photos", "photos"),
    ("pages_5xx", "5xx GET"),
    ("lost", "lost"),
    ("duplicates", "dupl."),
    ("unacknowledged", "unack."),
    ("gave_up", "gave up"),
    ("shown_500", "500s"),
    ("photos_unreadable", "unread."),
    ("photos_processing", "proc."),
)


def counts_table(runs: list[tuple[str, Counts]]) -> str:
    """One line per run: the counts, and ok or FAILED."""
    header = f"{'run':<22}" + "".join(f"{label:>10}" for _, label in COLUMNS) + "  verdict"
    lines = [header, "-" * len(header)]
    for name, c in runs:
        cells = "".join(f"{getattr(c, attribute):>10}" for attribute, _ in COLUMNS)
        lines.append(f"{name:<22}{cells}  {'ok' if c.ok else 'FAILED'}")
    lines.append(
        "(stored: reports in the database for the keys of the receipts returned; refused: the "
        "form came back with its text, e.g. a rate limit; 5xx GET: 502-504 on a resident's "
        "page, counted only; lost, dupl., unack. (stored, no receipt), gave up, 500s (on a "
        "submission or a resident's page), unread., proc. (still processing) must be 0)"
    )
    return "\n".join(lines)
