from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "onewindow.consult"
    label = "consult"
    verbose_name = _("Consultation, complaints and suggestions")

    def ready(self) -> None:
        from onewindow.catalogue.selectors import faq_provider_register
        from onewindow.consult.selectors import item_published_faq

        # The catalogue sits below: published answers reach the item's guide through its provider list.
        faq_provider_register(item_published_faq)
