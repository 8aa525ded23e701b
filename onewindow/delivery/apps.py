from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "onewindow.delivery"
    label = "delivery"
    verbose_name = _("Postal delivery")

    def ready(self) -> None:
        from onewindow.cases.hooks import case_section_register
        from onewindow.delivery.views import case_delivery_section

        # The applicant's case page: how the result is delivered, and the parcels in both directions.
        case_section_register(case_delivery_section)
