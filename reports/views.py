"""Pages for residents."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from assets import selectors


@require_safe
def home(request):
    return render(request, "home.html", {"counts": selectors.asset_counts_by_type()})
