"""`shopwarden connect ...` and `shopwarden disconnect ...` groups.

The shop and ads modules add their own sub-commands to these groups.
"""

from __future__ import annotations

import typer

connect_app = typer.Typer(help="Connect a merchant's TikTok Shop or TikTok Ads account.", no_args_is_help=True)
disconnect_app = typer.Typer(help="Disconnect an account and delete its tokens at once.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(connect_app, name="connect")
    app.add_typer(disconnect_app, name="disconnect")
