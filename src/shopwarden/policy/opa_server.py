"""The OPA server engine (SHOPWARDEN_OPA_URL): the same policies/ files, evaluated by an OPA over HTTP.

Anything but a well-formed answer — refused connection, timeout, 5xx, garbage — is a deny with
"policy engine unavailable": the gate fails closed, never open.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient

from shopwarden.errors import ConfigError, PolicyLoadError
from shopwarden.policy.bundle import DECISION_PATH, PolicyBundle
from shopwarden.policy.contract import UNAVAILABLE, Decision, PolicyInput, decision_from_result, prepare

_PACKAGE, _RULE = DECISION_PATH.rsplit("/", 1)


class OpaServerEngine:
    """Asks an OPA server for data.shopwarden.main.decision through opa-python-client."""

    def __init__(
        self,
        url: str,
        bundle: PolicyBundle,
        *,
        token: str | None = None,
        timeout: float = 1.5,
        retries: int = 0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("SHOPWARDEN_OPA_URL", "must look like http://host:8181")
        self._bundle = bundle
        # Only scheme, host and port: credentials in the URL never reach a reason or a log line.
        self.address = f"{parts.scheme}://{parts.hostname}:{parts.port or 8181}"
        self._client = OpaClient(
            host=parts.hostname,
            port=parts.port or 8181,
            ssl=parts.scheme == "https",
            token=token,
            timeout=timeout,
            retries=retries,
        )

    @property
    def version(self) -> str:
        """The hash of the local policies/ files — what `shopwarden policy push` sends."""
        return self._bundle.version

    def decide(self, policy_input: PolicyInput | dict[str, Any]) -> Decision:
        document = prepare(policy_input, self.version)
        if isinstance(document, Decision):
            return document
        try:
            answer = self._client.query_rule(document, _PACKAGE, _RULE)
        except (requests.RequestException, ValueError) as exc:
            return self._unavailable(type(exc).__name__)
        if not isinstance(answer, dict) or "result" not in answer:
            return self._unavailable(f"no result for {DECISION_PATH}; run `shopwarden policy push`")
        return decision_from_result(answer["result"], self.version)

    def push(self) -> None:
        """Upload every policy module and the versioned data (limits) to the server."""
        try:
            for name, text in self._bundle.modules_in_dependency_order():
                self._client.update_policy_from_string(text, policy_id(name), rego_compat=False)
            for top, document in self._bundle.data_with_version().items():
                for key, value in document.items():
                    self._client.update_or_create_data(value, f"{top}/{key}")
        except requests.RequestException as exc:
            raise PolicyLoadError(f"OPA at {self.address} is unreachable ({type(exc).__name__})") from None
        except Exception as exc:  # opa_client raises its own untyped errors for rejected uploads
            raise PolicyLoadError(f"OPA at {self.address} refused the policies: {exc}") from None

    def close(self) -> None:
        self._client.close_connection()

    def _unavailable(self, cause: str) -> Decision:
        reason = f"{UNAVAILABLE}: OPA at {self.address} gave no usable answer ({cause})"
        return Decision.fail_closed(reason, "engine.unavailable", self.version)


def policy_id(module_name: str) -> str:
    """OPA policy ids are URL path segments: `shopwarden/budget.rego` -> `shopwarden.budget`."""
    return module_name.removesuffix(".rego").replace("/", ".")
