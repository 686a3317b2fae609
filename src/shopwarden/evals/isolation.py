"""Settings for one eval run, restored exactly afterwards: nothing leaks into the next run or the caller.

An eval run needs its own data dir, key, policies and simulator credentials. The block is handed
the run's `Settings`, which the run passes down (build_runtime, engine_for). Two readers still take
the process settings themselves (`resources` for the policies/agents folders, `security.connections`
for the master key behind the vault and the audit keys), so inside the block the process
environment also holds exactly the run's SHOPWARDEN_* values (the caller's are set aside, so a real
database, OPA server or model never leaks in); on exit every variable is put back as it was and
every settings-derived cache is dropped again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from shopwarden.config import ENV_PREFIX, Settings, get_settings
from shopwarden.db.engine import engine_for
from shopwarden.security.connections import reset_vault_cache
from shopwarden.security.vault import init_key_file


def _drop_caches() -> None:
    get_settings.cache_clear()
    reset_vault_cache()
    engine_for.cache_clear()


@contextmanager
def isolated_settings(data_dir: Path, extra: Mapping[str, str] | None = None,
                      policies_dir: Path | None = None) -> Iterator[Settings]:
    """Run the block with its own data dir (kept afterwards) and only the given SHOPWARDEN_* settings:
    the run's Settings."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
    data_dir.mkdir(parents=True, exist_ok=True)
    run_env = {
        f"{ENV_PREFIX}DATA_DIR": str(data_dir.resolve()),
        f"{ENV_PREFIX}MASTER_KEY_FILE": str((data_dir / "master.key").resolve()),
        **(extra or {}),
    }
    if policies_dir is not None:
        run_env[f"{ENV_PREFIX}POLICIES_DIR"] = str(Path(policies_dir).resolve())
    try:
        for key in saved:
            del os.environ[key]
        os.environ.update(run_env)
        _drop_caches()
        settings = get_settings()
        init_key_file(settings.effective_master_key_file)
        yield settings
    finally:
        for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
            del os.environ[key]
        os.environ.update(saved)
        _drop_caches()
