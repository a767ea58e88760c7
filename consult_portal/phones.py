"""Mainland China phone numbers: validation and one normalised form.

Accepted: mobiles (``13800138000``, ``+86 138-0013-8000``) → ``13800138000``;
landlines with an area code (``027-8888 6666``, ``(027)88886666``, ``0710-1234567转123``)
→ ``027-88886666`` / ``0710-1234567-123``. Full-width digits and separators are tolerated
because numbers are often pasted from Word or WeChat.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models

_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
# Area codes: 010, 02X, or 0 + three digits; local numbers 7–8 digits; optional extension.
_LANDLINE = re.compile(r"(010|02\d|0[3-9]\d{2})-?(\d{7,8})(?:(?:转|ext|x|-)(\d{1,6}))?")

INVALID_MESSAGE = "请输入有效的手机号(11位)或带区号的固定电话,如 13800138000 或 027-88886666。"


def normalize_phone(raw: str | None) -> str:
    """Return the normalised form of ``raw`` or raise ``ValidationError`` in Chinese."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    text = re.sub(r"[\s().]", "", text)
    if not text:
        return ""
    mobile = _MOBILE.fullmatch(text.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(text)
    if landline:
        area, local, ext = landline.groups()
        return f"{area}-{local}" + (f"-{ext}" if ext else "")
    raise ValidationError(INVALID_MESSAGE, code="invalid_phone")


class PhoneNumberField(models.CharField):
    """A CharField that validates and normalises mainland phone numbers on ``full_clean``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return normalize_phone(value)
