from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("Ratings (好差评)")

    def ready(self) -> None:
        # The catalogue sits below ratings: the item and department pages learn their 好评率 from here.
        from onewindow.catalogue.selectors import rating_summary_provider_register
        from onewindow.ratings.selectors import public_summary

        rating_summary_provider_register(public_summary)
