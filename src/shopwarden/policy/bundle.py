"""The policies/ folder as one versioned bundle: Rego modules, their data (limits) and their tests.

The bundle hash covers every policy file and data.json (not the tests), so a decision recorded with
its `policy_version` names exactly the rules and limits that made it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regopy

from shopwarden.errors import PolicyLoadError

DECISION_PATH = "shopwarden/main/decision"
DECISION_REF = "data.shopwarden.main.decision"
DATA_FILE = "data.json"
TEST_SUFFIX = "_test.rego"

_REGO_ERROR = re.compile(r"\(error \d+:(?P<file>[^|\n]*)\|(?P<offset>\d+)\|\d+\s*\(errormsg \d+:(?P<message>[^\n]*?)\)")
_STDOUT_LOCK = threading.Lock()
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_IMPORT = re.compile(r"^import\s+data\.([\w.]+)", re.MULTILINE)


@dataclass(frozen=True)
class PolicyBundle:
    """Policy sources read from one folder; `version` is their hash."""

    root: Path
    modules: tuple[tuple[str, str], ...]
    test_modules: tuple[tuple[str, str], ...]
    data: dict[str, Any]
    version: str

    @classmethod
    def load(cls, root: Path) -> PolicyBundle:
        """Read and syntax-check the folder; PolicyLoadError names the file and line of the first problem."""
        root = Path(root)
        if not root.is_dir():
            raise PolicyLoadError("is not a policies folder", path=str(root))
        modules: list[tuple[str, str]] = []
        tests: list[tuple[str, str]] = []
        for path in sorted(root.rglob("*.rego")):
            name = path.relative_to(root).as_posix()
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PolicyLoadError(f"cannot be read: {exc}", path=name) from None
            (tests if name.endswith(TEST_SUFFIX) else modules).append((name, text))
        if not modules:
            raise PolicyLoadError("contains no .rego policy files", path=str(root))
        data = _load_data(root / DATA_FILE)
        bundle = cls(root, tuple(modules), tuple(tests), data, _hash(modules, data))
        bundle.interpreter()  # the syntax check, so a broken file stops start-up
        return bundle

    def data_with_version(self) -> dict[str, Any]:
        """The data document plus `shopwarden.bundle.version`, which decisions report as policy_version."""
        data = json.loads(json.dumps(self.data))
        data.setdefault("shopwarden", {})["bundle"] = {"version": self.version}
        return data

    def interpreter(self, *, with_tests: bool = False) -> regopy.Interpreter:
        """A fresh interpreter holding the modules (and tests) and the versioned data."""
        interpreter = regopy.Interpreter()
        for name, text in self.sources(with_tests=with_tests).items():
            add_module(interpreter, name, text)
        interpreter.add_data_json(json.dumps(self.data_with_version()))
        return interpreter

    def sources(self, *, with_tests: bool = False) -> dict[str, str]:
        return dict(self.modules + self.test_modules) if with_tests else dict(self.modules)

    def modules_in_dependency_order(self) -> list[tuple[str, str]]:
        """Each module after the packages it imports: an OPA server type-checks every upload against what
        it already holds, so `budget.rego` before `lib.rego` is refused (undefined function lib.cents)."""
        package_of = {name: _package(text) for name, text in self.modules}
        pending = list(self.modules)
        ordered: list[tuple[str, str]] = []
        while pending:
            placed = {package_of[name] for name, _ in ordered}
            known = set(package_of.values())
            ready = [(name, text) for name, text in pending
                     if all(dep in placed or dep not in known or dep == package_of[name] for dep in _imports(text))]
            if not ready:  # an import cycle: OPA takes it only all at once, so keep the rest as they are
                return ordered + pending
            ordered.extend(ready)
            pending = [module for module in pending if module not in ready]
        return ordered


def _package(text: str) -> str:
    match = _PACKAGE.search(text)
    return match.group(1) if match else ""


def _imports(text: str) -> set[str]:
    return set(_IMPORT.findall(text))


def add_module(interpreter: regopy.Interpreter, name: str, text: str) -> None:
    """Add one Rego module; a syntax error becomes PolicyLoadError with the file and line."""
    try:
        with _quiet_stdout():
            interpreter.add_module(name, text)
    except regopy.RegoError as exc:
        raise rego_error_to_load_error(str(exc), {name: text}, default_path=name) from None


def rego_error_to_load_error(error: str, sources: dict[str, str], default_path: str = "") -> PolicyLoadError:
    """Turn rego-cpp's error s-expression (`file|byte offset|length`) into `file:line: message`."""
    match = _REGO_ERROR.search(error)
    if match is None:
        return PolicyLoadError(f"cannot be compiled: {error.strip()}", path=default_path)
    path = match.group("file") or default_path
    text = sources.get(path, "")
    offset = int(match.group("offset"))
    line = text.encode("utf-8")[:offset].decode("utf-8", errors="ignore").count("\n") + 1
    return PolicyLoadError(match.group("message").strip(), path=path, line=line)


def default_limits(policies_dir: Path | None = None) -> dict[str, Any]:
    """The default limits from policies/data.json (merchant overrides are merged over these)."""
    root = policies_dir if policies_dir is not None else default_policies_dir()
    limits = _load_data(Path(root) / DATA_FILE).get("shopwarden", {}).get("limits")
    if not isinstance(limits, dict):
        raise PolicyLoadError("has no shopwarden.limits object", path=DATA_FILE)
    return dict(limits)


def default_policies_dir() -> Path:
    from shopwarden.resources import resource_dir

    return resource_dir("policies")


def _load_data(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyLoadError("is missing", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise PolicyLoadError(f"is not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    if not isinstance(data, dict):
        raise PolicyLoadError("must hold a JSON object", path=str(path))
    return data


def _hash(modules: list[tuple[str, str]], data: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for name, text in modules:
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """rego-cpp prints its own copy of compile errors on fd 1; we raise a cleaner one instead."""
    with _STDOUT_LOCK:
        try:
            saved = os.dup(1)
        except OSError:  # no real stdout (embedded interpreters): nothing to hide
            yield
            return
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
