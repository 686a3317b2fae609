"""`shopwarden init`, `shopwarden db upgrade`, `shopwarden keys rotate`."""

from __future__ import annotations

from pathlib import Path

import typer

from shopwarden.cli._common import console, get_engine
from shopwarden.config import get_settings
from shopwarden.db import engine as db_engine
from shopwarden.security.vault import init_key_file

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Master keys of the token vault.", no_args_is_help=True)


def init() -> None:
    """Create the data directory, a local master key file (0600) and the schema."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.effective_master_key_file
    if settings.master_key is not None:
        console.print("master key: from SHOPWARDEN_MASTER_KEY")
    elif init_key_file(key_file):
        console.print(f"master key: created {key_file} (mode 0600)")
    else:
        console.print(f"master key: {key_file} already exists, kept")
    revision = db_engine.upgrade(get_engine())
    console.print(f"database: {settings.effective_database_url.split('@')[-1]} at revision {revision}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (a no-op on an up-to-date database)."""
    revision = db_engine.upgrade(get_engine())
    console.print(f"database at revision {revision}")


@keys_app.command("rotate")
def keys_rotate(
    out: Path = typer.Option(
        None, help="Where to write the new key when the key comes from SHOPWARDEN_MASTER_KEY."
    ),
) -> None:
    """Re-wrap every stored token under a new master key."""
    from shopwarden.security.keys import rotate_master_key

    result = rotate_master_key(get_settings(), get_engine(), out=out)
    console.print(
        f"rotated {result.rewrapped} record(s) to master key {result.new_key_id}; "
        f"retired {', '.join(result.retired_key_ids) or 'none'}"
    )
    if result.instructions:
        console.print(result.instructions)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
    app.add_typer(keys_app, name="keys")
