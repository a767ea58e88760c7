"""Photos residents send with an issue (issue 16): checked by their content with Pillow, never
by name; turned upright, shrunk to ``PHOTO_MAX_SIDE`` and re-encoded as JPEG, which drops every
EXIF tag (the phone's GPS location included) and anything hidden after the image data."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

PHOTO_MAX_COUNT = 3
PHOTO_MAX_SIDE = 1600
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# A decompression bomb is refused before it is decoded (pixels, not bytes).
PHOTO_MAX_PIXELS = 40_000_000


@dataclass
class CleanPhoto:
    content: bytes  # JPEG, no metadata
    width: int
    height: int


def clean_photo(upload) -> CleanPhoto:
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(upload, "name", "") or "照片"
    limit = settings.ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise ValidationError("“%(name)s”是空文件。", params={"name": name})
    if upload.size > limit:
        raise ValidationError(
            "“%(name)s”大小为 %(size)s,超过每张照片 %(limit)s 的上限。",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    not_a_photo = ValidationError(
        "“%(name)s”不是照片(只能上传 JPG、PNG 或 WEBP 图片)。", params={"name": name}
    )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise not_a_photo
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ValidationError("“%(name)s”像素过大,请缩小后再上传。", params={"name": name})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            # No exif= argument: the new file carries no EXIF at all.
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_a_photo from None
    finally:
        upload.seek(0)
    return CleanPhoto(out.getvalue(), image.width, image.height)
