"""Staff sign-in, rate limited per address and per user name (citizen sign-in comes with issue #4)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit


class StaffAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with a message that says what to do, without telling which half was wrong."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is not correct. Check both and try again (letters are case-sensitive)."
        ),
        "inactive": _("This account is disabled. Ask your department administrator."),
    }


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = (request.POST.get("username") or "").strip().lower()[:150]
        try:
            rate_limit_hit(scope="login", key=client_address(request))
            rate_limit_hit(scope="login", key=f"user:{username}")
        except DomainError as error:
            messages.error(request, error.message)
            response = self.render_to_response(self.get_context_data(form=self.get_form_class()(request)))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)
