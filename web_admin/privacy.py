"""A resident's personal data (APPI requests): find it, hand it over, erase it."""

from urllib.parse import urlencode

import orjson
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.policy import Right
from reports import privacy as privacy_services
from web_admin import privacy_forms as forms
from web_admin.access import right_required


def _privacy_page(request, form, *, status=200, found=None, erase_form=None):
    return render(
        request,
        "web_admin/privacy.html",
        {
            "nav": "privacy",
            "form": form,
            "found": found,
            "erase_form": erase_form,
            "query": urlencode({k: v for k, v in form.cleaned_data.items() if v})
            if found is not None
            else "",
        },
        status=status,
    )


@require_safe
@right_required(Right.PERSONAL_DATA)
def privacy(request):
    """Find what one resident sent, to show it to them or erase it at their request."""
    if not request.GET:
        return _privacy_page(request, forms.PersonalDataForm())
    form = forms.PersonalDataForm(request.GET)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    found = privacy_services.personal_data_find(acting_user=request.user, **form.cleaned_data)
    erase_form = forms.PersonalDataEraseForm(initial=form.cleaned_data)
    response = _privacy_page(request, form, found=found, erase_form=erase_form)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@right_required(Right.PERSONAL_DATA)
def privacy_export(request):
    """Everything held about the person, as a JSON file to hand over (the disclosure is
    recorded on each report)."""
    form = forms.PersonalDataForm(request.GET)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    document = privacy_services.personal_data_export(acting_user=request.user, **form.cleaned_data)
    response = HttpResponse(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@right_required(Right.PERSONAL_DATA)
def privacy_erase(request):
    form = forms.PersonalDataEraseForm(request.POST)
    if not form.is_valid():
        search = forms.PersonalDataForm(request.POST)
        found = None
        if search.is_valid():
            found = privacy_services.personal_data_find(
                acting_user=request.user, **search.cleaned_data
            )
        return _privacy_page(request, search, status=400, found=found, erase_form=form)
    data = {key: form.cleaned_data[key] for key in ("email", "phone")}
    count = privacy_services.personal_data_erase(acting_user=request.user, **data)
    messages.success(
        request,
        _("Erased: %(count)s contributions. Their reports stay, without personal data.")
        % {"count": count},
    )
    return redirect("manage-privacy")
