"""`shopwarden policy ...`: run the policy tests, evaluate one input, push the policies to OPA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from shopwarden.cli._common import print_json
from shopwarden.config import get_settings
from shopwarden.errors import ConfigError

policy_app = typer.Typer(help="Guardrail policies: test, evaluate and push them.", no_args_is_help=True)

PoliciesOption = Annotated[
    Path | None, typer.Option("--policies", help="Policies folder (default: SHOPWARDEN_POLICIES_DIR or shipped)")
]


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")


@policy_app.command("test")
def test_command(policies: PoliciesOption = None) -> None:
    """Run the Rego unit tests and the decision table on the configured engine; print a table."""
    from shopwarden.policy import load_engine
    from shopwarden.policy.bundle import default_policies_dir
    from shopwarden.policy.testing.decision_table import TABLE_FILE, run_table
    from shopwarden.policy.testing.rego_tests import run_isolated

    root = policies or default_policies_dir()
    console = Console()
    table = Table(title=f"policy tests ({root})")
    table.add_column("suite")
    table.add_column("test")
    table.add_column("result")
    failures = 0
    for result in run_isolated(root):
        failures += not result.passed
        table.add_row("rego", f"{result.test.package}.{result.test.name}", _verdict(result.passed, result.detail))
    engine = load_engine(get_settings(), policies_dir=root)
    for case_result in run_table(engine, root / TABLE_FILE):
        failures += not case_result.passed
        detail = "; ".join(case_result.mismatches)
        table.add_row(f"table ({type(engine).__name__})", case_result.case.name, _verdict(case_result.passed, detail))
    console.print(table)
    summary = f"{failures} failed" if failures else "all passed"
    console.print(f"policy version {engine.version}: {summary}")
    if failures:
        raise typer.Exit(1)


@policy_app.command("eval")
def eval_command(
    input_file: Annotated[Path, typer.Option("--input", help="JSON file holding one policy input")],
    policies: PoliciesOption = None,
) -> None:
    """Decide one input and print the decision JSON."""
    from shopwarden.policy import load_engine

    try:
        document = json.loads(input_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("--input", f"cannot read {input_file}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError("--input", f"{input_file} is not JSON (line {exc.lineno}: {exc.msg})") from None
    decision = load_engine(get_settings(), policies_dir=policies).decide(document)
    print_json(decision.model_dump(mode="json"))


@policy_app.command("push")
def push_command(policies: PoliciesOption = None) -> None:
    """Upload the policies and their data to the OPA server at SHOPWARDEN_OPA_URL."""
    from shopwarden.policy import OpaServerEngine, PolicyBundle
    from shopwarden.policy.bundle import default_policies_dir

    settings = get_settings()
    url = settings.require("opa_url")
    token = settings.opa_token.get_secret_value() if settings.opa_token else None
    bundle = PolicyBundle.load(policies or default_policies_dir())
    engine = OpaServerEngine(url, bundle, token=token)
    engine.push()
    Console().print(f"pushed {len(bundle.modules)} policies and data to {engine.address} (version {bundle.version})")


def _verdict(passed: bool, detail: str) -> str:
    return "[green]pass[/green]" if passed else f"[red]FAIL[/red] {detail}"
