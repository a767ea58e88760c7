import pytest
from django.core.exceptions import ValidationError

from consult_portal.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("０２７－８８８８６６６６", "027-88886666"),
        ("(027)88886666", "027-88886666"),
        ("0717-1234567转123", "0717-1234567-123"),
        ("010 12345678", "010-12345678"),
        ("", ""),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23800138000", "027-123", "1380013800a", "phone"])
def test_invalid_numbers_get_a_chinese_message(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(raw)
    assert "请输入有效的手机号" in excinfo.value.messages[0]
