"""Checks on what users type. Each failure names a message key for the bot."""

import phonenumbers

from services.errors import InvalidInput


def clean_text(value: str, *, field: str, max_len: int, min_len: int = 1) -> str:
    """Strip the text and check its length."""
    text = (value or "").strip()
    if not min_len <= len(text) <= max_len:
        raise InvalidInput(f"invalid.{field}", min=min_len, max=max_len)
    return text


def normalise_phone(value: str, region: str = "CN") -> str:
    """Parse a phone number as typed or shared, and return it in E.164."""
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("invalid.phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("invalid.phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
