"""The words for a report's codes in the active language: status, reason for closing,
source, category, asset type and organisation. One place for every export that shows words
instead of codes (the CSV in Japanese, the Excel file, the queue map's GeoJSON), so they
cannot disagree; the database's CASE expressions for GeoJSON are built from the same words."""

from dataclasses import dataclass

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext as _

from accounts.models import Organization
from assets.models import AssetType, FaultCategory
from reports.models import Report


@dataclass(frozen=True)
class ReportLabels:
    statuses: dict[str, str]
    close_reasons: dict[str, str]
    sources: dict[str, str]
    categories: dict[int, str]  # by id
    category_codes: dict[int, str]
    asset_types: dict[int, str]
    asset_type_codes: dict[int, str]
    organisations: dict[int, str]

    def status(self, code: str, close_reason: str = "") -> str:
        """ "完了（重複）": the status, with the reason a closed report was closed for."""
        word = self.statuses.get(code, code)
        if code == Report.Status.CLOSED and close_reason:
            return _("%(status)s (%(reason)s)") % {
                "status": word,
                "reason": self.close_reasons.get(close_reason, close_reason),
            }
        return word

    def source(self, code: str) -> str:
        return self.sources.get(code, code)

    def category(self, pk: int | None) -> str:
        return self.categories.get(pk, "")

    def asset_type(self, pk: int | None) -> str:
        return self.asset_types.get(pk, "")

    def organisation(self, pk: int | None) -> str:
        return self.organisations.get(pk, "")


def report_labels() -> ReportLabels:
    """The words in the active language: a few dozen rows (and the organisations), read once
    per export rather than joined per row."""
    categories = list(FaultCategory.objects.only("pk", "code", "name_ja", "name_en", "names"))
    types = list(AssetType.objects.only("pk", "code", "name_ja", "name_en", "names"))
    organisations = Organization.objects.only("pk", "name", "name_en", "names")
    return ReportLabels(
        statuses={code: str(label) for code, label in Report.Status.choices},
        close_reasons={code: str(label) for code, label in Report.CloseReason.choices},
        sources={code: str(label) for code, label in Report.Source.choices},
        categories={c.pk: c.name for c in categories},
        category_codes={c.pk: c.code for c in categories},
        asset_types={t.pk: t.name for t in types},
        asset_type_codes={t.pk: t.code for t in types},
        organisations={o.pk: str(o) for o in organisations},
    )


def label_expression(field: str, words: dict) -> Case:
    """The word for `field`'s value, in SQL: one WHEN per known value, null for the others
    (a value added since the words were read stays a code in its own property)."""
    return Case(
        *[
            When(**{field: key}, then=Value(word, output_field=CharField()))
            for key, word in words.items()
        ],
        default=Value(None, output_field=CharField()),
        output_field=CharField(),
    )
