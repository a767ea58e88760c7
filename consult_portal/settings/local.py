"""Development settings: DEBUG on, a fixed insecure key, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-local-development-key-do-not-use-in-production"
)
