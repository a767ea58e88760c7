from django.apps import AppConfig


class ConsultPortalConfig(AppConfig):
    name = "consult_portal"
    verbose_name = "协商平台"

    def ready(self):
        from . import checks  # noqa: F401  registers the deployment checks
        from .formfields import guard_key_ranges

        guard_key_ranges()
