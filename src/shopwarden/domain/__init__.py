"""Shared vocabulary the engine's parts agree on (reason codes and what they mean)."""
