from django.apps import AppConfig


class ConsultPortalConfig(AppConfig):
    name = "consult_portal"
    verbose_name = "协商平台"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import audit, checks, sessions  # noqa: F401  checks registers the deployment checks
        from .formfields import guard_key_ranges
        from .middleware import mark_seen_on_login

        guard_key_ranges()
        audit.connect()
        user_logged_in.connect(mark_seen_on_login, dispatch_uid="session-seen-at-login")
        user_logged_in.connect(sessions.started, dispatch_uid="signed-in-session-started")
        user_logged_out.connect(sessions.ended, dispatch_uid="signed-in-session-ended")
