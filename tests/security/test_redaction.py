import logging

import pytest

from shopwarden.security.redaction import MASK, RedactingFilter, is_secret_key, redact, redact_text, register_secret


@pytest.mark.parametrize(
    "key",
    ["access_token", "refresh_token", "x-tts-access-token", "app_secret", "password", "Authorization", "api_key",
     "x-api-key", "key", "private_key", "master_key", "client_credentials", "cookie", "sign", "auth_code",
     "ciphertext"],
)
def test_secret_looking_keys_are_masked(key: str) -> None:
    assert is_secret_key(key)
    assert redact({key: "value-1"}) == {key: MASK}


@pytest.mark.parametrize(
    "key",
    ["shop_cipher", "cipher", "app_key", "idempotency_key", "page_token", "next_page_token", "budget", "keywords",
     "sku_id", "object_key_name", "signal", "design"],
)
def test_public_identifiers_and_ordinary_fields_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert redact({key: "value-1"}) == {key: "value-1"}


def test_redaction_is_recursive_and_leaves_the_input_untouched() -> None:
    original = {"outer": [{"headers": {"Authorization": "Bearer abc"}}, ("x", {"token": "t"})], "n": 3}
    assert redact(original) == {"outer": [{"headers": {"Authorization": MASK}}, ["x", {"token": MASK}]], "n": 3}
    assert original["outer"][0]["headers"]["Authorization"] == "Bearer abc"


def test_empty_secret_fields_stay_empty_so_absence_is_visible() -> None:
    assert redact({"access_token": None, "app_secret": ""}) == {"access_token": None, "app_secret": ""}


def test_registered_values_are_masked_anywhere_longest_first() -> None:
    register_secret("TOKEN_ABC_123")
    register_secret("TOKEN_ABC_123_EXTENDED")
    register_secret("abc")  # too short to register: it would mask ordinary words
    assert redact({"note": "sent TOKEN_ABC_123_EXTENDED and TOKEN_ABC_123", "word": "abc"}) == {
        "note": f"sent {MASK} and {MASK}", "word": "abc"}
    assert redact_text("x" * 3 + "TOKEN_ABC_123") == f"xxx{MASK}"


def test_log_filter_cleans_messages_and_tracebacks() -> None:
    register_secret("LOGGED_SECRET_99")
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "calling %s", ("LOGGED_SECRET_99",), None)
    try:
        raise ValueError("bad token LOGGED_SECRET_99")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert record.getMessage() == f"calling {MASK}"
    assert "LOGGED_SECRET_99" not in (record.exc_text or "") and MASK in (record.exc_text or "")


def test_process_wide_redaction_cleans_records_for_handlers_added_later() -> None:
    from shopwarden.security.redaction import install_log_redaction

    register_secret("LATE_HANDLER_SECRET_1")
    install_log_redaction()
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(handler.format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("shopwarden.somewhere.deep")
    logger.addHandler(handler)  # added after install, with no filter of its own
    logger.setLevel(logging.INFO)
    try:
        logger.info("token is %s", "LATE_HANDLER_SECRET_1")
    finally:
        logger.removeHandler(handler)
    assert seen == [f"token is {MASK}"]
