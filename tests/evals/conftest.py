"""Eval tests reuse tests/agents' scripted chat models (llm_fakes.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1] / "agents"))
