from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data (``seed_demo``, ``seed_province``); no models of its own.

    Installed by the base settings for development, tests and CI; production settings leave it
    out, so the generators and their commands do not exist there."""

    name = "demo"
    verbose_name = "演示数据"
