from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "提醒与通知"

    def ready(self) -> None:
        from . import events

        events.connect()  # mails follow the domain events of topics and members
