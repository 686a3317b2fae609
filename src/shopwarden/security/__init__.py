"""Secrets and data at rest: the token vault (`vault`), master-key rotation (`keys`), redaction of
logs and audit rows (`redaction`), stored platform connections (`connections`) and the retention of
cached TikTok data (`retention`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.security.vault`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.security.connections import (
        Tokens,
        disconnect,
        get_connection,
        get_vault,
        mark_needs_reauth,
        read_tokens,
        reset_vault_cache,
        store_tokens,
    )
    from shopwarden.security.keys import RotationResult, rotate_master_key
    from shopwarden.security.redaction import (
        MASK,
        RedactingFilter,
        install_log_redaction,
        is_secret_key,
        redact,
        redact_text,
        register_secret,
    )
    from shopwarden.security.retention import RETENTION, PurgeReport, delete_merchant_cache, purge_expired
    from shopwarden.security.vault import (
        BoundTo,
        Keyring,
        Vault,
        decode_master_key,
        init_key_file,
        key_id_for,
        load_keyring,
        new_master_key,
    )

_EXPORTS = {
    "BoundTo": "vault",
    "Keyring": "vault",
    "Vault": "vault",
    "decode_master_key": "vault",
    "init_key_file": "vault",
    "key_id_for": "vault",
    "load_keyring": "vault",
    "new_master_key": "vault",
    "RotationResult": "keys",
    "rotate_master_key": "keys",
    "MASK": "redaction",
    "RedactingFilter": "redaction",
    "install_log_redaction": "redaction",
    "is_secret_key": "redaction",
    "redact": "redaction",
    "redact_text": "redaction",
    "register_secret": "redaction",
    "Tokens": "connections",
    "disconnect": "connections",
    "get_connection": "connections",
    "get_vault": "connections",
    "mark_needs_reauth": "connections",
    "read_tokens": "connections",
    "reset_vault_cache": "connections",
    "store_tokens": "connections",
    "RETENTION": "retention",
    "PurgeReport": "retention",
    "delete_merchant_cache": "retention",
    "purge_expired": "retention",
}

__all__ = [
    "MASK",
    "RETENTION",
    "BoundTo",
    "Keyring",
    "PurgeReport",
    "RedactingFilter",
    "RotationResult",
    "Tokens",
    "Vault",
    "decode_master_key",
    "delete_merchant_cache",
    "disconnect",
    "get_connection",
    "get_vault",
    "init_key_file",
    "install_log_redaction",
    "is_secret_key",
    "key_id_for",
    "load_keyring",
    "mark_needs_reauth",
    "new_master_key",
    "purge_expired",
    "read_tokens",
    "redact",
    "redact_text",
    "register_secret",
    "reset_vault_cache",
    "rotate_master_key",
    "store_tokens",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
