"""Adapters are reachable only through the tool registry: no agent, gate or API module imports them."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "shopwarden"
ADAPTER_MODULES = ("shopwarden.platforms.shop", "shopwarden.platforms.ads", "shopwarden.platforms.creative_center")
# Who may build or use an adapter: the adapters themselves, the tools, the one composition
# function, the CLI commands that connect an account or sync a catalogue, the console's connect and
# disconnect (the same consent flows as `cli/connect.py`, started from the connections page), and the
# set-up demo and eval share (which connects its merchant through the same OAuth and Composio code paths).
# These only connect or disconnect accounts (consent, token exchange, revocation): no shop or ad data.
ALLOWED = ("platforms/", "tools/", "runtime.py", "cli/connect.py", "cli/shop.py", "cli/ads.py", "evals/setup.py",
           "api/reconnect.py", "api/merchant_actions.py")


def _imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("shopwarden."):
            found.add(node.value)  # importlib.import_module("shopwarden.platforms...")
    return found


def adapter_imports(root: Path) -> dict[str, list[str]]:
    """Module path -> adapter modules it imports, for every module outside the allowed places."""
    offenders: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(ALLOWED):
            continue
        hits = sorted(m for m in _imported_modules(path.read_text(encoding="utf-8"))
                      if m.startswith(ADAPTER_MODULES))
        if hits:
            offenders[relative] = hits
    return offenders


def test_no_module_outside_tools_and_runtime_imports_an_adapter() -> None:
    assert adapter_imports(PACKAGE) == {}


def test_the_scan_catches_direct_lazy_and_dynamic_imports(tmp_path: Path) -> None:
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "graph.py").write_text("from shopwarden.platforms.ads import AdsClient\n")
    (tmp_path / "gate.py").write_text("def f():\n    import shopwarden.platforms.shop.client\n")
    dynamic = "import importlib\nimportlib.import_module('shopwarden.platforms.creative_center')\n"
    (tmp_path / "api.py").write_text(dynamic)
    (tmp_path / "runtime.py").write_text("from shopwarden.platforms.ads import ads_client_for\n")
    assert adapter_imports(tmp_path) == {
        "agents/graph.py": ["shopwarden.platforms.ads", "shopwarden.platforms.ads.AdsClient"],
        "api.py": ["shopwarden.platforms.creative_center"],
        "gate.py": ["shopwarden.platforms.shop.client"],
    }


# What the command line may still take from an adapter package: connecting and disconnecting an account
# (OAuth and Composio flows, not tool calls). Every read or write of platform data goes through the gate.
CONNECTION_ONLY = {"begin_authorization", "complete_authorization", "start_ads_connection", "complete_ads_connection",
                   "disconnect_ads", "connect_shop", "begin_native_connection", "complete_native_connection"}
# mcp/gate_tools.py holds the MCP resources' read tools: registered with the gate and run only by it.
DATA_PATHS_ALLOWED = ("platforms/", "tools/", "runtime.py", "observe.py", "mcp/gate_tools.py")


def _adapter_names(source: str) -> set[str]:
    return {alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)
            and node.module and node.module.startswith(ADAPTER_MODULES) for alias in node.names}


def test_the_command_line_takes_only_connection_flows_from_adapters() -> None:
    for path in [*sorted((PACKAGE / "cli").glob("*.py")), PACKAGE / "evals" / "setup.py"]:
        assert _adapter_names(path.read_text(encoding="utf-8")) <= CONNECTION_ONLY, path.name


def test_no_module_outside_the_tools_opens_a_platform_client() -> None:
    """`ctx.shop()`, `ctx.ads()`, `ctx.creative()` (a tool context's adapters) are used only by tools, whose
    only caller is the gate; building a tool context is the runtime's job."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(DATA_PATHS_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args
                    and node.func.attr in ("shop", "ads", "creative", "tool_context")):
                offenders.append(f"{relative}:{node.lineno} .{node.func.attr}()")
    assert offenders == []


def test_only_the_gate_runs_a_tool() -> None:
    """Tools' execute/observe/verify are called from the gate (and its recovery) alone."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("gate", "tools/")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "observe", "verify") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "tool"):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []
