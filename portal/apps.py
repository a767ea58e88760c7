from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: assembles pages from the apps below it (home, calendar, import screens,
    public URLs, the root URLconf). Nothing below imports it."""

    name = "portal"
    verbose_name = "门户页面"
