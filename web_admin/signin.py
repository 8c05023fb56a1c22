"""Signing in to /manage/ and resetting a forgotten password, behind the sign-in guard."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy

from accounts import guard
from accounts.forms import CityPasswordResetForm, GuardedAuthenticationForm
from config import city


class LoginView(auth_views.LoginView):
    template_name = "web_admin/login.html"
    authentication_form = GuardedAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web_admin/password_reset.html"
    form_class = CityPasswordResetForm
    email_template_name = "web_admin/email/password_reset.txt"
    subject_template_name = "web_admin/email/password_reset_subject.txt"
    success_url = reverse_lazy("manage-password-reset-done")

    def form_valid(self, form):
        # Somebody fishing, or flooding one mailbox: answer the same, send nothing.
        if not guard.password_reset_allowed(self.request, form.cleaned_data["email"]):
            return redirect(self.success_url)
        form.save(
            domain_override=city.current().public_base_url.split("://", 1)[-1],
            use_https=city.current().public_base_url.startswith("https"),
            from_email=settings.DEFAULT_FROM_EMAIL,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"city_name": city.current().name},
        )
        return redirect(self.success_url)
