"""Which asset a contribution is about: by the code on its sticker, its ledger number, or
the asset itself; for staff, only among the assets they may file reports on. A ledger
number is looked up among the assets of the city the contribution comes in at (`city`, when
several are served): two cities may number their assets alike."""

from accounts import policy
from accounts.cities import in_city
from accounts.policy import Right
from assets.models import Asset, FaultCategory
from qr_labels import codes
from qr_labels.selectors import label_resolve
from reports import selectors
from reports.models import Report
from reports.services import ReportError


def resolve_asset(
    actor, channel, *, asset, label_code, ledger_id, asset_type, category, city=None
) -> tuple[Asset | None, str]:
    """(the asset meant, the sticker code read) from what was given."""
    staff = channel == Report.Source.STAFF
    if asset is None and label_code.strip():
        resolution = label_resolve(label_code)
        found = resolution.asset
        if found is None or (not staff and found.status != Asset.Status.IN_SERVICE):
            outcome = resolution.outcome if found is None else "retired"
            message = {
                "mistyped": "This sticker code has a typo: please read it out again.",
                "retired": "This sticker was withdrawn: find the asset by its ledger number.",
            }.get(outcome, "There is no sticker with this code.")
            raise ReportError(message, code=f"label_{outcome}", field="label_code")
        asset, label_code = found, resolution.label.code
    elif asset is None and ledger_id.strip():
        asset = _asset_by_ledger(ledger_id.strip(), asset_type, category, staff=staff, city=city)
    else:
        label_code = codes.normalize(label_code) if asset is not None and label_code else ""
    if asset is not None and staff and not _may_file_on(actor, asset):
        raise ReportError(
            "This asset is not among those your organisation looks after.",
            code="asset_out_of_scope",
            field="label_code" if label_code else "ledger_id",
        )
    return asset, label_code


def _may_file_on(actor, asset: Asset) -> bool:
    return policy.may_on_owner(actor, Right.INTAKE, owner=asset.owner, location=asset.geom)


def _asset_by_ledger(ledger_id: str, type_code: str, category, *, staff: bool, city=None) -> Asset:
    """The one asset in service with this ledger number (of the type, when given)."""
    assets = in_city(Asset.objects.all(), city).filter(
        ledger_id=ledger_id, status=Asset.Status.IN_SERVICE
    )
    if type_code:
        assets = assets.filter(asset_type__code=type_code)
    elif not staff:
        assets = assets.filter(asset_type__categories=category)
    found = list(assets.select_related("asset_type", "owner")[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ReportError(
            "No asset in service has this ledger number.", code="no_such_asset", field="ledger_id"
        )
    raise ReportError(
        "Several assets have this ledger number: choose the asset type too, or use the "
        "sticker code.",
        code="ambiguous_asset",
        field="asset_type",
    )


def asset_for_address_id(text: str, category: FaultCategory, city=None) -> Asset:
    """The asset another system names (Open311 address_id): the code on its sticker, else
    its ledger number among the assets this kind of fault can happen to (of `city`)."""
    text = text.strip()
    if codes.is_valid(codes.normalize(text)):
        found = label_resolve(text)
        if found.asset is not None and found.asset.status == Asset.Status.IN_SERVICE:
            return found.asset
    return _asset_by_ledger(text, "", category, staff=False, city=city)


def town_in_address(text: str, where=None):
    """The town (町) named in an address, the longest match winning (今市町 over 今市), among
    the towns of the city `where` names (a request or a city; two cities may each have 本町)."""
    text = text.strip()
    if not text:
        return None
    found = [town for town in selectors.towns(where) if town.name in text]
    return max(found, key=lambda town: len(town.name), default=None)
