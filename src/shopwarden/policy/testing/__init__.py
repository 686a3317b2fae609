"""Test-only policy tooling: OPA's own evaluator as the reference every engine is checked against."""
