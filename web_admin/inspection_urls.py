"""The inspection screens under /manage/inspections/."""

urlpatterns = []
