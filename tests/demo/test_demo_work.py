"""The demo's working life is made through the real services, once."""

import io

import pytest
from django.core.management import call_command

from assets.models import AssetType
from inspections.models import Inspection
from planning.models import DeteriorationModel, SavedPlan, Work
from reports.models import ContextPlace, Report


@pytest.fixture
def demo_city(db, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", assets=600, seed=3, accounts=True, stdout=io.StringIO())
    call_command("load_checklists", stdout=io.StringIO())


def test_five_years_of_inspections_and_a_queue(demo_city, mailoutbox):
    out = io.StringIO()
    call_command("seed_demo_work", stdout=out)

    years = {i.performed_at.year for i in Inspection.objects.all()}
    assert len(years) == 5
    assert ContextPlace.objects.filter(source="demo").count() == 8
    open_reports = Report.objects.filter(status__in=Report.OPEN_STATUSES)
    assert open_reports.filter(source="inspection").exists()
    assert open_reports.exclude(source="inspection").count() >= 20
    assert all(r.priority_base > 0 and r.respond_by for r in open_reports)
    assert mailoutbox == []  # fictional people get no email
    # Works in the condition history, and the models fitted from it, with forecasts.
    works = Work.objects.all()
    assert works.filter(kind="repair").exists() and works.filter(kind="renewal").exists()
    assert all(w.reports.exists() and w.cost_yen and w.grade_after == "I" for w in works[:20])
    # A model stored for every type; this small city has too little history for most (the
    # 3,000 assets of `make run` fit the lights and the roads), and each says why.
    whole = DeteriorationModel.objects.filter(stratum_key="")
    assert whole.count() == AssetType.objects.count()
    assert all(m.enough or "too few" in m.why_not for m in whole)
    assert whole.get(asset_type__code="security-light").pairs > 100
    assert "deterioration models" in out.getvalue()
    assert SavedPlan.objects.filter(organisation__code="izumo").count() == 1  # a first plan

    counts = (Inspection.objects.count(), Report.objects.count())
    again = io.StringIO()
    call_command("seed_demo_work", if_empty=True, stdout=again)
    assert "already there" in again.getvalue()
    assert (Inspection.objects.count(), Report.objects.count()) == counts
