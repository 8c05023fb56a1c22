"""The managers' queue as CSV, Excel and GeoJSON: whatever the current filter shows.

Exports are for the organisation's own work (a contractor's list, a GIS layer); they carry
no contact details, which never leave the report page. The plain CSV keeps codes and English
column names, for programs; the CSV in Japanese and the Excel file show words in their
place (reports/labels.py), for people. GeoJSON features are written by the database
(assets/geojson.py), codes and words side by side; Python only joins them.

Each row links to the report's staff page at the address of the city `here` (the request's;
the deployment's one city by default), so a city's export links to its own host.
"""

import contextlib
import datetime
import itertools
from collections.abc import Iterator

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assets import csvfiles, xlsxfiles
from assets.geojson import AsJSON, JSONBuild, collection_chunks
from assets.xlsxfiles import DATE, DATETIME, NUMBER, Column
from config import city
from reports import priority
from reports.labels import label_expression, report_labels
from reports.models import Report
from reports.opendata import spreadsheet_safe

COLUMNS = [
    "number",
    "status",
    "priority",
    "category",
    "category_name",
    "asset_type",
    "ledger_id",
    "owner",
    "assignee",
    "work_due_on",
    "respond_by",
    "created_at",
    "source",
    "me_too",
    "town",
    "address",
    "latitude",
    "longitude",
    "photo_far_from_asset",
    "description",
    "url",
]


def _text(value) -> str:
    """Neutralise spreadsheet formulas in free text typed by residents (CSV injection)."""
    return spreadsheet_safe("" if value is None else str(value))


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def _base(here: city.City | None) -> str:
    """The address the rows link to: the city `here`'s, else the deployment's one city's."""
    return (here or city.current()).public_base_url


def csv_chunks(qs: QuerySet, *, here: city.City | None = None) -> Iterator[str]:
    """The queue as CSV (UTF-8 with BOM, so Excel in Japan opens it right), row by row."""
    return csvfiles.csv_chunks(_csv_rows(qs, here), bom=True, rows_per_chunk=200)


def _csv_rows(qs: QuerySet, here: city.City | None) -> Iterator[list]:
    labels = report_labels()
    base = _base(here)
    yield COLUMNS
    rows = qs.values_list(
        "number",
        "status",
        "score",
        "category_id",
        "asset__asset_type_id",
        "asset__ledger_id",
        "owner_id",
        "assignee_id",
        "work_due_on",
        "respond_by",
        "created_at",
        "source",
        "me_too_count",
        "town",
        "address_text",
        "location",
        "photo_far_from_asset",
        "description",
    )
    for row in rows.iterator(chunk_size=2000):
        (
            number,
            status,
            score,
            category_id,
            type_id,
            ledger_id,
            owner_id,
            assignee_id,
            due,
            respond_by,
            created_at,
            source,
            me_too,
            town,
            address,
            point,
            far,
            description,
        ) = row
        yield [
            number, status, score, labels.category_codes.get(category_id, ""),
            labels.category(category_id), labels.asset_type_codes.get(type_id, ""),
            ledger_id or "", labels.organisation(owner_id), labels.organisation(assignee_id),
            due.isoformat() if due else "",
            _local(respond_by), _local(created_at), source, me_too, _text(town),
            _text(address), f"{point.y:.6f}" if point else "", f"{point.x:.6f}" if point else "",
            "yes" if far else "", _text(description), f"{base}/manage/reports/{number}/",
        ]  # fmt: skip


# --- For people: words instead of codes, in the active language ------------------------------


def labelled_columns() -> list[Column]:
    """The columns of the CSV in Japanese and of the Excel file, named in the active language."""
    return [
        Column(_("Report number"), 14),
        Column(_("Status"), 12),
        Column(_("Priority"), 8, NUMBER),
        Column(_("Danger to people"), 10),
        Column(_("Priority reasons"), 40),
        Column(_("Category"), 24),
        Column(_("Answers"), 40),
        Column(_("Asset type"), 14),
        Column(_("Ledger id"), 14),
        Column(_("Town"), 12),
        Column(_("Address"), 30),
        Column(_("Responsible section"), 20),
        Column(_("Assigned to"), 20),
        Column(_("Work due"), 12, DATE),
        Column(_("Response target"), 17, DATETIME),
        Column(_("Reported at"), 17, DATETIME),
        Column(_("Source"), 14),
        Column(_("Saw it too (people)"), 10, NUMBER),
        Column(_("Photo far from the asset"), 12),
        Column(_("Latitude"), 11, NUMBER),
        Column(_("Longitude"), 11, NUMBER),
        Column(_("Description"), 40),
        Column(_("Staff page"), 40),
    ]


ROWS_PER_FETCH = 500


def _speaking(language: str | None):
    """The language to write in: the given one, else the active one."""
    return translation.override(language) if language else contextlib.nullcontext()


def labelled_rows(
    qs: QuerySet,
    *,
    now: datetime.datetime,
    language: str | None = None,
    here: city.City | None = None,
) -> Iterator[list]:
    """The queue's reports in its order, one list of values per row (words, numbers, dates
    and aware moments), with the reasons for each priority as the queue page gives them.

    Like the page, the order is taken from the report table alone and the rows are then
    fetched a few hundred at a time (reports/selectors.py, queue_page_rows). A `language`
    is switched on only while a batch is written, never across a yield to the response."""
    with _speaking(language):
        labels = report_labels()
    base = _base(here)
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), ROWS_PER_FETCH):
        chunk = ids[start : start + ROWS_PER_FETCH]
        fetched = (
            Report.objects.filter(pk__in=chunk)
            .annotate(score=priority.score_expression(now))
            .select_related("category", "asset")
        )
        by_pk = {report.pk: report for report in fetched}
        with _speaking(language):
            batch = [_labelled(by_pk[pk], labels, base, now) for pk in chunk if pk in by_pk]
        yield from batch


def _labelled(report: Report, labels, base: str, now) -> list:
    asset = report.asset
    point = report.location
    reasons = "; ".join(
        f"{points:+d} {text}" if points else text for points, text in priority.reasons(report, now)
    )
    return [
        report.number,
        labels.status(report.status, report.close_reason),
        report.score,
        _("Yes") if report.danger else "",
        reasons,
        labels.category(report.category_id),
        "; ".join(f"{question}: {answer}" for question, answer in report.answers_described),
        labels.asset_type(asset.asset_type_id) if asset else "",
        asset.ledger_id if asset else "",
        report.town,
        report.address_text or (asset.address if asset else ""),
        labels.organisation(report.owner_id),
        labels.organisation(report.assignee_id),
        report.work_due_on,
        report.respond_by,
        report.created_at,
        labels.source(report.source),
        report.me_too_count,
        _("Yes") if report.photo_far_from_asset else "",
        round(point.y, 6) if point else None,
        round(point.x, 6) if point else None,
        report.description,
        f"{base}/manage/reports/{report.number}/",
    ]


def _csv_text(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number is no formula: -12 stays -12, not '-12
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _text(value)


def labelled_csv_chunks(
    qs: QuerySet,
    *,
    now: datetime.datetime,
    language: str | None = None,
    here: city.City | None = None,
) -> Iterator[str]:
    """The queue as CSV for people: the Excel file's columns and words, as text (in
    `language`, else the active one)."""
    with _speaking(language):
        header = [column.header for column in labelled_columns()]
    rows = (
        [_csv_text(value) for value in row]
        for row in labelled_rows(qs, now=now, language=language, here=here)
    )
    return csvfiles.csv_chunks(itertools.chain([header], rows), bom=True, rows_per_chunk=200)


def workbook(
    qs: QuerySet,
    *,
    about: list[tuple[str, object]],
    now: datetime.datetime,
    here: city.City | None = None,
):
    """The queue as an Excel file (a temporary file at its start): the title, `about` (what
    was asked for, in words) and the time of export in the first rows, then the reports."""
    return xlsxfiles.table_file(
        title=_("Fault reports"),
        sheet_title=_("Reports"),
        about=[*about, (_("Exported at"), now), (_("Number of reports"), qs.count())],
        columns=labelled_columns(),
        rows=labelled_rows(qs, now=now, here=here),
    )


# --- GeoJSON: codes for programs and words for the map's popups, side by side --------------


def feature_expression(here: city.City | None = None):
    base = _base(here)
    labels = report_labels()
    return Cast(
        JSONBuild(
            type=Value("Feature"),
            id=F("number"),
            geometry=AsJSON(AsGeoJSON("location", precision=6)),
            properties=JSONBuild(
                number=F("number"),
                status=F("status"),
                status_label=label_expression("status", labels.statuses),
                priority=F("score"),
                danger=F("danger"),
                category=F("category__code"),
                category_label=label_expression("category_id", labels.categories),
                asset_type=F("asset__asset_type__code"),
                asset_type_label=label_expression("asset__asset_type_id", labels.asset_types),
                ledger_id=F("asset__ledger_id"),
                owner=F("owner__code"),
                assignee=F("assignee__code"),
                work_due_on=F("work_due_on"),
                respond_by=F("respond_by"),
                created_at=F("created_at"),
                source=F("source"),
                source_label=label_expression("source", labels.sources),
                me_too=F("me_too_count"),
                town=F("town"),
                address=F("address_text"),
                photo_far_from_asset=F("photo_far_from_asset"),
                url=Concat(
                    Value(f"{base}/manage/reports/"),
                    F("number"),
                    Value("/"),
                    output_field=TextField(),
                ),
            ),
        ),
        output_field=TextField(),
    )


def geojson_chunks(
    qs: QuerySet, *, limit: int | None = None, here: city.City | None = None
) -> Iterator[bytes]:
    features = qs.annotate(_feature=feature_expression(here)).values_list("_feature", flat=True)
    if limit is not None:
        features = features[:limit]
    return collection_chunks(features.iterator(chunk_size=2000))
