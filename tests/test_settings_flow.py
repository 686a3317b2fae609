"""Settings flow down from the composition root: only it reads the process settings (`get_settings()`);
every other module takes them, or the values it needs, from its caller."""

from __future__ import annotations

import ast

from test_layout import PACKAGE, _modules

# config defines get_settings; runtime.build_runtime is the one composition function; the CLI's
# commands and the API app factory are the process entry points that call it.
COMPOSITION_ROOT = ("shopwarden.config", "shopwarden.runtime", "shopwarden.cli", "shopwarden.api.app")

# Still reading the process settings themselves (issue 13, item 3): this list may only shrink.
# resources and security.connections (the vault, hence the audit keys) are reached from deep inside
# (scenarios, tool manifests, every audit write); until they are handed their settings, the demo's and
# eval's set-up (evals.setup, evals.isolation) also export the run's settings to the process environment.
NOT_YET_CONVERTED = frozenset({
    "shopwarden.resources", "shopwarden.security.connections", "shopwarden.evals.isolation", "shopwarden.evals.setup",
})


def reads_process_settings(source: str) -> bool:
    """True when the module imports `get_settings` from shopwarden.config (at any level, under any
    name) or reaches it as an attribute of the imported config module."""
    config_aliases: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "shopwarden.config":
            if any(alias.name == "get_settings" for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module == "shopwarden":
            config_aliases.update(a.asname or a.name for a in node.names if a.name == "config")
        elif isinstance(node, ast.Import):
            config_aliases.update(a.asname or a.name for a in node.names if a.name == "shopwarden.config")
    return any(isinstance(node, ast.Attribute) and node.attr == "get_settings"
               and ast.unparse(node.value) in config_aliases for node in ast.walk(ast.parse(source)))


def _in_root(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in COMPOSITION_ROOT)


def _readers() -> set[str]:
    return {name for name, path in _modules(PACKAGE).items()
            if reads_process_settings(path.read_text(encoding="utf-8"))}


def test_only_the_composition_root_reads_the_process_settings() -> None:
    outside = sorted(name for name in _readers() if not _in_root(name) and name not in NOT_YET_CONVERTED)
    assert outside == [], f"these modules read get_settings() instead of taking settings from their caller: {outside}"


def test_the_list_of_modules_left_to_convert_is_not_stale() -> None:
    assert sorted(NOT_YET_CONVERTED - _readers()) == []


def test_the_check_sees_every_way_of_reaching_get_settings() -> None:
    assert reads_process_settings("from shopwarden.config import Settings, get_settings\n")
    assert reads_process_settings("def f():\n    from shopwarden.config import get_settings as gs\n    return gs()\n")
    assert reads_process_settings("from shopwarden import config\nconfig.get_settings()\n")
    assert reads_process_settings("import shopwarden.config\nshopwarden.config.get_settings()\n")
    assert not reads_process_settings("from shopwarden.config import Settings\n")
    # a route that happens to be named get_settings is not the process settings
    assert not reads_process_settings("def get_settings(svc):\n    return svc.settings()\n")
