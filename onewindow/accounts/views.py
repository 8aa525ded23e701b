"""Staff sign-in, rate limited per address and per user name (citizen sign-in comes with issue #4)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
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
