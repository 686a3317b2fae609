"""The `shopwarden` command line.

Each module in this package owns one group of commands and exposes
``register(app: typer.Typer) -> None``; they are discovered here so that adding a
command never means editing a shared file. Command modules import heavy clients
(Composio, LangGraph, the policy engine) inside the commands that use them, so
`--help` and local commands start fast (see bench/startup.py).

Exit codes, for every command (a cron job or CI step can rely on them):

    0  it worked
    1  a check failed or the action was refused (broken audit chain, failing policy
       test, an approval that cannot move, a platform error, a policy denial)
    2  usage or configuration error (bad option, unknown merchant/approval, missing
       setting, no database yet)
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape

from shopwarden.errors import (
    ConfigError,
    DatabaseError,
    MasterKeyError,
    NotFound,
    PolicyLoadError,
    RunnerConflict,
    ShopwardenError,
)
from shopwarden.security.redaction import install_log_redaction

OK, FAILED, USAGE = 0, 1, 2
USAGE_ERRORS: tuple[type[ShopwardenError], ...] = (ConfigError, MasterKeyError, DatabaseError, PolicyLoadError,
                                                   NotFound, RunnerConflict)

app = typer.Typer(
    name="shopwarden",
    help="Policy-guarded AI agents that grow a merchant's TikTok business.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain click help: rich's boxed tables cut option names ("--daily-budget-c…") at 80 columns.
    rich_markup_mode=None,
)
err_console = Console(stderr=True, soft_wrap=True)  # an error stays one line, however long


def _register_all() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def exit_code_for(exc: ShopwardenError) -> int:
    """2 for what the user must fix in the command or the settings, 1 for a refusal or failure."""
    # Imported only once something failed: a scenario or case file the user named cannot be used.
    from shopwarden.evals.case import CaseError
    from shopwarden.platforms.simulator.scenario import ScenarioError

    return USAGE if isinstance(exc, (*USAGE_ERRORS, ScenarioError, CaseError)) else FAILED


def run(args: Sequence[str] | None = None) -> int:
    """Run one command line and return its exit code (never raises for expected errors)."""
    try:
        # In non-standalone mode click *returns* typer.Exit's code instead of exiting: keep it.
        returned = app(args=list(args) if args is not None else None, prog_name="shopwarden",
                       standalone_mode=False)
    except ShopwardenError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True)
        return exit_code_for(exc)
    except typer.Abort:
        err_console.print("aborted", highlight=False)
        return FAILED
    except typer.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # typer >= 0.23 vendors its own click: its usage errors derive from TyperException, not click's.
        show = getattr(exc, "show", None)
        if isinstance(exc, typer.TyperException) and callable(show):
            show()
            return int(getattr(exc, "exit_code", USAGE))
        raise
    return returned if isinstance(returned, int) else OK


def main() -> None:
    """Entry point of the installed `shopwarden` script."""
    install_log_redaction()
    sys.exit(run())
