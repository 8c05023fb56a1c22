"""The long-life repair plan under /manage/plan/: its inputs (managers of the organisation
edit them; its other staff read them), the plan made from them with its scenarios, the
plan's works by fiscal year on a page, on a map, and as CSV and Excel.

The organisation is the user's own (a superuser names one with ?org=CODE). Saved plans are
seen by staff whose organisations include the plan's; others get 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import policy
from accounts.models import Organization
from accounts.policy import Right
from planning import plan_exports, plans
from planning import selectors as planning_selectors
from planning.models import Action, Policy, SavedPlan
from web_admin import plan_charts
from web_admin.access import of_this_city, staff_required
from web_admin.plan_forms import PlanSettingsForm, UnitCostForm

WORKS_PER_PAGE = 100


def _organisation(request) -> Organization:
    if policy.is_superuser(request.user):
        code = request.GET.get("org") or request.POST.get("org")
        found = Organization.objects.filter(code=code).first() if code else None
        if found is None:
            # The city of the host the page is asked at (several cities), else the one city.
            here = getattr(request, "city", None)
            top = Organization.objects.filter(parent__isnull=True, kind="city")
            found = (top.filter(city_id=here.id) if here is not None else top).first()
        if found is None:
            raise Http404
        return found
    organisation = getattr(request.user, "organization", None)
    if organisation is None:
        raise PermissionDenied
    return organisation


def _may_edit(request, organisation) -> bool:
    return policy.may(request.user, Right.PLAN_MAINTENANCE, owner_id=organisation.pk)


def _plan_context(request, organisation, inputs, types, settings_form, cost_form) -> dict:
    latest = planning_selectors.plans_of(organisation)[:2]
    context = {
        "nav": "plan",
        "organisation": organisation,
        "settings": inputs,
        "may_edit": _may_edit(request, organisation),
        "settings_form": settings_form,
        "cost_form": cost_form
        or UnitCostForm(costs=planning_selectors.unit_costs(organisation), types=types),
        "changes": planning_selectors.input_changes(organisation)[:20],
        "latest": latest[0] if latest else None,
        "previous": latest[1] if len(latest) > 1 else None,
        "superuser": policy.is_superuser(request.user),
        "actions": Action.choices,
    }
    if context["latest"] is not None:
        context.update(plan_charts.scenario_context(context["latest"], context["previous"]))
    return context


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def plan_home(request):
    organisation = _organisation(request)
    inputs = plans.settings_of(organisation)
    types = planning_selectors.owned_types(request.user)
    if request.method == "POST":
        if not _may_edit(request, organisation):
            raise PermissionDenied
        settings_form = PlanSettingsForm(request.POST)
        cost_form = UnitCostForm(
            request.POST, costs=planning_selectors.unit_costs(organisation), types=types
        )
        if settings_form.is_valid() and cost_form.is_valid():
            data = settings_form.cleaned_data
            try:
                plans.inputs_update(
                    organisation=organisation,
                    acting_user=request.user,
                    first_year=data["first_year"],
                    horizon=data["horizon"],
                    budget=data["budget"],
                    budgets=data["budgets"],
                    second_budget=data["second_budget"],
                    plan_policy=data["policy"],
                    levelling=data["levelling"],
                    costs=cost_form.costs(),
                )
            except plans.PlanError as exc:
                field = exc.field if exc.field in settings_form.fields else None
                settings_form.add_error(field, str(exc))
            else:
                messages.success(request, _("The plan's inputs are saved."))
                return redirect(request.get_full_path())
        context = _plan_context(request, organisation, inputs, types, settings_form, cost_form)
        return render(request, "web_admin/plan/home.html", context, status=400)
    settings_form = PlanSettingsForm(
        initial={
            "first_year": inputs.first_year,
            "horizon": inputs.horizon,
            "budget": inputs.budget,
            "budgets": ", ".join(str(b) for b in inputs.budgets or []),
            "second_budget": inputs.second_budget,
            "policy": inputs.policy,
            "levelling": inputs.levelling,
        }
    )
    return render(
        request,
        "web_admin/plan/home.html",
        _plan_context(request, organisation, inputs, types, settings_form, None),
    )


@require_POST
@staff_required
def plan_make(request):
    organisation = _organisation(request)
    if not _may_edit(request, organisation):
        raise PermissionDenied
    saved = plans.plan_make(organisation=organisation, acting_user=request.user)
    if saved.feasible:
        messages.success(request, _("The plan is made."))
    else:
        messages.error(request, _("No plan could be made with these inputs: see why below."))
    return redirect("manage-plan-detail", pk=saved.pk)


def _saved(request, pk: int) -> SavedPlan:
    saved = get_object_or_404(SavedPlan.objects.select_related("organisation", "made_by"), pk=pk)
    scope = policy.scope_ids(request.user)
    if (scope is not None and saved.organisation_id not in scope) or not of_this_city(
        request, saved.organisation
    ):
        raise Http404
    return saved


@require_safe
@staff_required
def plan_detail(request, pk: int):
    saved = _saved(request, pk)
    paginator = Paginator(planning_selectors.planned_works(saved), WORKS_PER_PAGE)
    paginator.count = (saved.scenarios.get("plan") or {}).get("works", 0)  # saved, not counted
    page = paginator.get_page(request.GET.get("page"))
    previous = planning_selectors.plan_before(saved)
    context = {
        "nav": "plan",
        "plan": saved,
        "years": planning_selectors.plan_years(saved),
        "page": page,
        "previous": previous,
        "actions": Action.choices,
        "policy_label": dict(Policy.choices).get(saved.inputs.get("policy"), "—"),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        **plan_charts.scenario_context(saved, previous),
    }
    return render(request, "web_admin/plan/detail.html", context)


@require_safe
@staff_required
def plan_download(request, pk: int, fmt: str):
    saved = _saved(request, pk)
    name = f"chojumyoka-{saved.organisation.code}-FY{saved.first_year}-{saved.pk}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            plan_exports.csv_chunks(saved), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            plan_exports.workbook(saved),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "geojson":
        response = JsonResponse(plan_exports.geojson(saved), content_type="application/geo+json")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
