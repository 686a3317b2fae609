"""Run the Rego unit tests (`test_*` rules in `*_test.rego`) through regopy, like `opa test`.

The tests run in a child process: rego-cpp 1.5.2 can crash the whole interpreter process on some
constructs (notably `with input as {...}`; override `input.<key>` instead), and a crash must show as a
failed test, not take pytest or the CLI down with it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from shopwarden.policy.bundle import PolicyBundle

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE = re.compile(r"^(test_\w+)\s+(?:if\b|:=|=|\{)", re.MULTILINE)
_CRASH_HINT = (
    "regopy crashed while compiling or running the Rego tests; rego-cpp 1.5.2 crashes on `with input as {...}` "
    "and on rule references as `with` values: override input.<key> with a literal or a function call"
)


@dataclass(frozen=True)
class RegoTest:
    file: str
    package: str
    name: str

    @property
    def ref(self) -> str:
        return f"data.{self.package}.{self.name}"

    @property
    def entrypoint(self) -> str:
        return f"{self.package.replace('.', '/')}/{self.name}"


@dataclass(frozen=True)
class RegoTestResult:
    test: RegoTest
    passed: bool
    detail: str = ""


def discover(bundle: PolicyBundle) -> list[RegoTest]:
    """Every `test_*` rule of every `*_test.rego` file, in file order."""
    tests: list[RegoTest] = []
    for file, text in bundle.test_modules:
        package = _PACKAGE.search(text)
        if package is None:
            continue
        seen: set[str] = set()
        for name in _TEST_RULE.findall(text):
            if name not in seen:
                seen.add(name)
                tests.append(RegoTest(file, package.group(1), name))
    return tests


def run_in_process(bundle: PolicyBundle, tests: list[RegoTest], report: bool = False) -> list[RegoTestResult]:
    """Evaluate each test rule; only `true` passes (undefined means one of its conditions was false)."""
    interpreter = bundle.interpreter(with_tests=True)
    # One compiled bundle for all tests: a plain query recompiles every module each time (~0.6 s).
    compiled = interpreter.build(None, [test.entrypoint for test in tests]) if tests else None
    results = []
    for test in tests:
        if report:
            print(json.dumps({"start": asdict(test)}), flush=True)
        text = str(interpreter.query_bundle_entrypoint(compiled, test.entrypoint)).strip()
        if text == '{"expressions":[true]}':
            result = RegoTestResult(test, True)
        elif text == "undefined":
            result = RegoTestResult(test, False, "undefined: a condition in the test was false")
        else:
            result = RegoTestResult(test, False, text[:500])
        if report:
            outcome = {"test": asdict(test), "passed": result.passed, "detail": result.detail}
            print(json.dumps({"result": outcome}), flush=True)
        results.append(result)
    return results


def run_isolated(policies_dir: Path, timeout: float = 120.0) -> list[RegoTestResult]:
    """Run every Rego test in a child process; a crash fails the test that was running and the rest."""
    bundle = PolicyBundle.load(policies_dir)
    tests = discover(bundle)
    with subprocess.Popen(
        [sys.executable, "-m", __name__, str(policies_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            stderr = f"timed out after {timeout:.0f} s\n{stderr}"
    done: dict[RegoTest, RegoTestResult] = {}
    running: RegoTest | None = None
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if "start" in message:
            running = RegoTest(**message["start"])
        elif "result" in message:
            outcome = message["result"]
            test = RegoTest(**outcome["test"])
            done[test] = RegoTestResult(test, outcome["passed"], outcome["detail"])
            running = None
    results = []
    for test in tests:
        if test in done:
            results.append(done[test])
        elif test == running or process.returncode < 0:
            cause = stderr.strip()[-300:] or f"exit status {process.returncode}"
            results.append(RegoTestResult(test, False, f"{_CRASH_HINT} ({cause})"))
        else:
            detail = stderr.strip()[-500:] or f"not run (exit status {process.returncode})"
            results.append(RegoTestResult(test, False, detail))
    return results


def _main(argv: list[str]) -> int:
    bundle = PolicyBundle.load(Path(argv[0]))
    results = run_in_process(bundle, discover(bundle), report=True)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
