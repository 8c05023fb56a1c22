"""The load test's own pure parts (tools/loadtest/): percentiles and the per-kind table, the
counts and verdict after a run, and reading a form as a browser sends it. The load test
itself runs against make cluster (make loadtest), not here."""

from tools.loadtest.forms import form_read
from tools.loadtest.report import Counts, counts, counts_table, kind_rows, kind_table, percentile


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7], 99) == 7
    assert percentile([3, 1, 2], 50) == 2  # sorted first
    assert percentile([], 95) == 0.0


def test_kind_rows_count_rate_and_percentiles_per_name_in_the_day_order():
    requests = [{"name": "scan", "ms": float(ms), "ok": True} for ms in range(1, 101)]
    requests += [{"name": "submission", "ms": 900.0, "ok": False}]
    requests += [
        {"name": "queue", "ms": 40.0, "ok": True},
        {"name": "other", "ms": 1.0, "ok": True},
    ]
    rows = kind_rows(requests, seconds=50)
    assert [r["kind"] for r in rows] == ["scan", "submission", "queue", "other"]
    scan = rows[0]
    assert (scan["requests"], scan["failures"], scan["per_second"]) == (100, 0, 2.0)
    assert (scan["p50_ms"], scan["p95_ms"], scan["p99_ms"], scan["max_ms"]) == (50, 95, 99, 100)
    assert rows[1]["failures"] == 1
    table = kind_table(rows)
    assert table.splitlines()[2].split() == ["scan", "100", "0", "2.00", "50", "95", "99"]


def resident(marker, outcome="receipt", statuses=(302,), token=None, **extra):
    token = token if token is not None else (f"tok-{marker}" if outcome == "receipt" else "")
    return {"marker": marker, "token": token, "outcome": outcome, "statuses": list(statuses)}


def test_a_clean_run_passes_with_receipts_equal_to_stored_reports():
    sent = [resident("a"), resident("b", statuses=(502, 302)), resident("c", statuses=(200, 302))]
    refused = resident("d", outcome="refused", statuses=(429,))
    refused["refused_with_form"] = True
    stored = [("a", 1, "tok-a"), ("b", 2, "tok-b"), ("c", 3, "tok-c")]
    photos = [{"marker": m, "state": "ready", "readable": True} for m in "abc"]
    result = counts([*sent, refused], stored, photos)
    assert (result.residents, result.receipts, result.reports_for_keys) == (4, 3, 3)
    assert (result.refused, result.resends, result.photos) == (1, 2, 3)
    assert result.ok, result.notes
    assert result.as_dict()["ok"] is True


def test_each_failure_is_counted_and_fails_the_run():
    sent = [
        resident("lost"),  # a receipt the database does not have
        resident("dup"),  # two reports for one key
        resident("gone", outcome="gave_up", statuses=(502, 0, 0)),  # stored, never told
        resident("err", statuses=(500, 302)),  # a 500 shown, then the resend worked
        resident("bare", outcome="refused", statuses=(400,)),  # no form came back
        resident("after503", statuses=(503, 302)),
    ]
    stored = [
        ("dup", 1, "tok-dup"),
        ("dup", 2, "other"),
        ("gone", 3, "tok-gone"),
        ("err", 4, "tok-err"),
        ("after503", 5, "tok-after503"),
    ]
    photos = [
        {"marker": "dup", "state": "processing", "readable": False},
        {"marker": "err", "state": "ready", "readable": False},
        {"marker": "after503", "state": "", "readable": True},
    ]
    result = counts(sent, stored, photos)
    assert result.lost == 1
    assert result.duplicates == 1
    assert result.unacknowledged == 1 and result.gave_up == 1
    assert result.shown_500 == 1
    assert result.refused_without_form == 1
    assert result.photos_processing == 1 and result.photos_unreadable == 1
    assert result.resent_after_503 == 1
    assert (result.receipts, result.reports_for_keys) == (4, 3)
    assert not result.ok
    assert any("2 reports for one key" in note for note in result.notes)


def test_a_500_on_a_residents_page_fails_the_run_and_other_5xx_are_counted():
    requests = [
        {"name": "scan", "status": 500},
        {"name": "receipt", "status": 502},
        {"name": "queue", "status": 500},  # staff's page: not a resident's
        {"name": "scan", "status": 200},
    ]
    result = counts([resident("a")], [("a", 1, "tok-a")], [], requests)
    assert (result.shown_500, result.pages_5xx) == (1, 1)
    assert not result.ok


def test_only_a_mismatch_of_receipts_and_stored_reports_fails_too():
    assert not Counts(receipts=3, reports_for_keys=2).ok
    assert Counts(receipts=2, reports_for_keys=2).ok


def test_counts_table_gives_each_run_a_line_and_a_verdict():
    good = counts([resident("a")], [("a", 1, "tok-a")], [])
    bad = counts([resident("a")], [], [])
    lines = counts_table([("none", good), ("app", bad)]).splitlines()
    assert lines[2].startswith("none") and lines[2].endswith("ok")
    assert lines[3].startswith("app") and lines[3].endswith("FAILED")


PAGE = """
<form class="lang" action="/i18n/setlang/" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="lang-token"><select name="language">
  <option value="ja" selected>日本語</option></select></form>
<form method="post" id="report-form" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="t0k">
  <input type="hidden" name="idempotency_key" value="86bcd1c49e61ecc99ddd6603bf69ba13">
  <input type="radio" name="category" value="pothole">
  <input type="radio" name="category" value="crack" checked>
  <input type="radio" name="q_wheel" value="" checked>
  <input type="radio" name="q_wheel" value="true">
  <select name="q_width"><option value="">-</option><option value="wide">wide</option></select>
  <select name="q_size"><option value="s">s</option><option value="m" selected>m</option></select>
  <textarea name="description">
Lamp &amp; pole</textarea>
  <input type="file" name="photos">
  <input type="checkbox" name="photo_tokens" value="p1" checked>
  <input type="checkbox" name="consent">
  <input type="email" name="email" value="">
  <button type="button" id="use-location">Use my location</button>
  <button type="submit" class="primary" name="force_new" value="1">Send</button>
</form>
<form method="post" class="narrow"><input name="username"><input type="password" name="password">
<button type="submit">Sign in</button></form>
"""


def test_form_read_sends_what_a_browser_would():
    form = form_read(PAGE, "report-form")
    assert form.value("idempotency_key") == "86bcd1c49e61ecc99ddd6603bf69ba13"
    assert form.value("csrfmiddlewaretoken") == "t0k"  # this form's, not the language form's
    assert form.value("category") == "crack"
    assert form.value("description") == "Lamp & pole"  # the newline after <textarea> dropped
    assert form.choices("category") == ["pothole", "crack"]
    data = form.data(category="pothole")
    assert ("category", "pothole") in data and ("category", "crack") not in data
    assert ("q_wheel", "") in data
    assert ("q_width", "") in data and ("q_size", "m") in data  # a select's selected or first
    assert ("photo_tokens", "p1") in data  # checked boxes only
    assert all(name not in ("consent", "photos") for name, _ in data)
    assert data[-1] == ("force_new", "1")  # the send button's own name and value


def test_form_read_finds_a_form_by_class_and_says_none_when_missing():
    login = form_read(PAGE, form_class="narrow")
    assert login.data(username="manager", password="pw") == [
        ("username", "manager"),
        ("password", "pw"),
    ]
    assert form_read("<p>no form</p>", "report-form") is None


def test_the_clusters_watcher_starts_a_failed_unit_again_as_systemd_would(tmp_path):
    """tools/cluster.py `supervise` (Restart=on-failure): a process that fails is started
    again until it succeeds; one that succeeds is not."""
    import sys

    from tools.cluster import supervise

    runs = tmp_path / "runs"
    script = (
        "import sys, pathlib; p = pathlib.Path(sys.argv[1]); n = len(p.read_text()) "
        "if p.exists() else 0; p.write_text('x' * (n + 1)); sys.exit(0 if n >= 2 else 3)"
    )
    assert supervise("on-failure", 0, [sys.executable, "-c", script, str(runs)]) == 0
    assert runs.read_text() == "xxx"  # failed twice, started again each time
    ok = tmp_path / "ok"
    assert (
        supervise(
            "on-failure", 0, [sys.executable, "-c", script.replace("n >= 2", "True"), str(ok)]
        )
        == 0
    )
    assert ok.read_text() == "x"
