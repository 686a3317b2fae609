"""The default engine: the policies compiled once to regorus bytecode, run on one VM per thread.

regorus (Microsoft's Rust Rego interpreter, packaged for Python as `gordon-to-regorus`) compiles
the bundle with the decision as its only entry point; the RVM then evaluates an input in well under
0.2 ms. Its Python objects are thread-bound (`unsendable`), so the compiled program is kept as bytes
and each thread that decides loads its own VM from them.

The VM returns the decision as JSON written by serde, which escapes every string; it is parsed with
duplicate keys refused, so no name in the input can add or repeat a decision field.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import regorus

from shopwarden.errors import PolicyLoadError
from shopwarden.policy.bundle import DECISION_REF, PolicyBundle
from shopwarden.policy.in_process import InProcessEngine


class DuplicateKey(ValueError):
    """The engine's JSON holds one key twice: ambiguous, so the caller denies."""


class RegorusEngine(InProcessEngine):
    """Evaluates data.shopwarden.main.decision on regorus's bytecode VM; thread-safe, fails closed."""

    # A decision costs less than handing it to a thread and back, so the gate calls it on its loop.
    decides_within_a_hop = True

    def __init__(self, bundle: PolicyBundle) -> None:
        super().__init__(bundle)
        self._data = json.dumps(bundle.data_with_version())
        try:
            program = regorus.Program.compile_from_modules(self._data, list(bundle.sources().items()), [DECISION_REF])
            self._program = bytes(program.serialize_binary())
        except Exception as exc:  # regorus raises plain RuntimeError/ValueError with the compiler's message
            message = _message(exc)
            if message == "not a valid rule path":
                raise PolicyLoadError(f"the policies do not define {DECISION_REF}", path=str(bundle.root)) from None
            raise PolicyLoadError(f"the policies do not compile: {message[:500]}", path=str(bundle.root)) from None
        self._key = next(_engine_keys)
        smoke = self._evaluate({})
        if not isinstance(smoke, dict) or "decision" not in smoke:
            raise PolicyLoadError(f"the policies do not define {DECISION_REF}", path=str(bundle.root))

    def _evaluate(self, document: dict[str, Any]) -> Any:
        vm = self._vm()
        vm.set_input_json(json.dumps(document, ensure_ascii=False))
        return json.loads(vm.execute(), object_pairs_hook=_unique_keys)

    def _describe(self, exc: BaseException) -> str:  # any VM failure, a panic included, denies
        return _message(exc)

    def _vm(self) -> Any:
        vms = _thread_vms()
        vm = vms.get(self._key)
        if vm is None:
            program, _ = _deserialized(self._program)
            vm = regorus.Rvm()
            vm.load_program(program)
            vm.set_data_json(self._data)
            while len(vms) >= _VMS_PER_THREAD:  # an old engine's VM, dropped here, on its own thread
                vms.pop(next(iter(vms)))
            vms[self._key] = vm
        return vm


# A VM may only be dropped on the thread that made it, so the VMs live in the thread's own
# storage (freed when the thread ends) rather than on the engine, which any thread may collect.
_threads = threading.local()
_engine_keys = itertools.count()
_VMS_PER_THREAD = 8


def _thread_vms() -> dict[int, Any]:
    vms = getattr(_threads, "vms", None)
    if vms is None:
        vms = _threads.vms = {}
    return vms


def _message(exc: BaseException) -> str:
    """regorus's error text without the Rust stack trace it appends."""
    return str(exc).split("\n\nStack backtrace:", 1)[0].split("\nStack backtrace:", 1)[0].strip()


def _deserialized(blob: bytes) -> tuple[Any, bool]:
    result = regorus.Program.deserialize_binary(blob)
    return result if isinstance(result, tuple) else (result, False)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise DuplicateKey(f"the key {key!r} appears twice in one object")
        value[key] = item
    return value
