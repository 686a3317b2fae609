"""Saved runs: one folder per run with `run.jsonl` (a header line, one line per seed, a summary line).

    {"type": "run", "run_id", "started", "code_version", "policy_version", "strategy", "model_id",
     "suite", "seeds", "k", "scenario_hashes": {case: hash}}
    {"type": "seed", ...SeedRun}
    {"type": "summary", "cases": [CaseSummary...], "failures": [...]}
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shopwarden.errors import ShopwardenError
from shopwarden.evals.runner import SeedRun
from shopwarden.evals.suite import CaseSummary

RUN_FILE = "run.jsonl"


class RunHeader(BaseModel):
    run_id: str
    started: str
    code_version: str
    policy_version: str = ""
    strategy: str
    model_id: str
    suite: str
    seeds: int
    k: int
    policies_dir: str | None = None
    scenario_hashes: dict[str, str] = Field(default_factory=dict)


class SavedRun(BaseModel):
    header: RunHeader
    seeds: list[SeedRun]
    cases: list[CaseSummary]
    failures: list[str] = Field(default_factory=list)
    path: str = ""


def code_version() -> str:
    """The package version and, when run from a git checkout, its commit (with `+dirty` for local edits)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("shopwarden")
    except PackageNotFoundError:
        base = "0"
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--", "."], capture_output=True,
                               text=True, timeout=5).stdout.strip()
        return f"{base}+g{sha}{'.dirty' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return base


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save_run(out_dir: Path, header: RunHeader, seeds: list[SeedRun], cases: list[CaseSummary],
             failures: list[str]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / RUN_FILE
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"type": "run", **header.model_dump(mode="json")}) + "\n")
        for seed in seeds:
            fh.write(json.dumps({"type": "seed", **seed.model_dump(mode="json")}) + "\n")
        fh.write(json.dumps({"type": "summary", "cases": [c.model_dump(mode="json") for c in cases],
                             "failures": failures}) + "\n")
    return path


def load_run(where: Path) -> SavedRun:
    """A saved run from its folder or its run.jsonl; a clear error when it is neither."""
    path = where / RUN_FILE if where.is_dir() else where
    try:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise ShopwardenError(f"{where}: not a saved eval run ({exc})") from None
    header: dict[str, Any] | None = next((x for x in lines if x.get("type") == "run"), None)
    summary = next((x for x in lines if x.get("type") == "summary"), None)
    if header is None or summary is None:
        raise ShopwardenError(f"{where}: not a saved eval run (no header or summary line)")
    return SavedRun(header=RunHeader.model_validate({k: v for k, v in header.items() if k != "type"}),
                    seeds=[SeedRun.model_validate({k: v for k, v in x.items() if k != "type"})
                           for x in lines if x.get("type") == "seed"],
                    cases=[CaseSummary.model_validate(c) for c in summary["cases"]],
                    failures=list(summary.get("failures", [])), path=str(path))
