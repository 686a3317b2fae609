"""Messages that used to mislead, each checked through the installed command (or over HTTP)."""

from __future__ import annotations

import socket
import subprocess
import time
from decimal import Decimal

import httpx
from installed_cli import installed_script, shopwarden

from shopwarden.agents.summary import describe_target
from shopwarden.api.auth import issue_token
from shopwarden.audit.chain import AuditEntry, record
from shopwarden.cli.eval import _spend_phrase


def test_run_for_an_unknown_merchant_names_it_instead_of_saying_it_already_ran(engine, merchant) -> None:
    result = shopwarden("run", "--merchant", "nosuch")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: merchant nosuch does not exist (see `shopwarden merchant list`)"
    assert "already run" not in result.stderr


def test_unknown_filters_are_errors_naming_what_was_not_found(engine, merchant) -> None:
    status = shopwarden("approvals", "list", "--status", "bogus")
    assert status.returncode == 2
    assert "'bogus' is not one of" in status.stderr and "pending" in status.stderr
    nobody = shopwarden("approvals", "list", "--merchant", "nosuch")
    assert nobody.returncode == 2
    assert "merchant nosuch does not exist" in nobody.stderr
    audit = shopwarden("audit", "list", "--merchant", "nosuch")
    assert audit.returncode == 2 and "merchant nosuch does not exist" in audit.stderr


def test_help_shows_whole_option_names_at_80_columns(engine, merchant) -> None:
    result = shopwarden("merchant", "set", "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0
    for name in ("--daily-budget-change-pct", "--account-daily-increase-max", "--inventory-threshold",
                 "--listing-copy-drafts / --no-listing-copy-drafts", "--hard-budget-change-pct"):
        assert name in result.stdout
    assert "…" not in result.stdout


def test_merchant_set_prints_limits_as_words_not_a_python_dict(engine, merchant) -> None:
    result = shopwarden("merchant", "set", "m-acme", "--daily-budget-change-pct", "12.5",
                        "--min-roas-to-scale", "3", "--limit", "restock_days_of_cover=10")
    assert result.returncode == 0, result.stderr
    assert "{" not in result.stdout and "'" not in result.stdout
    assert ("own limits: daily_budget_change_pct 12.5, min_roas_to_scale 3, restock_days_of_cover 10"
            in result.stdout)


def test_limits_are_validated_one_by_one_and_together(engine, merchant) -> None:
    cases = [
        (("--max-skus-per-call", "2.5"), "--max-skus-per-call: must be a whole number, not 2.5"),
        (("--min-roas-to-scale", "nan"), "--min-roas-to-scale: must be a finite number"),
        (("--limit", "bogus=1"), "--limit bogus: unknown limit"),
        (("--limit", "restock_days_of_cover"), "is not NAME=VALUE"),
        (("--max-roas-to-pause", "2.5"), "--max-roas-to-pause: 2.5 must be below min_roas_to_scale 2.0"),
        (("--hard-budget-change-pct", "10"), "--hard-budget-change-pct: 10 is below daily_budget_change_pct 20"),
    ]
    for args, message in cases:
        result = shopwarden("merchant", "set", "m-acme", *args)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
    shown = shopwarden("merchant", "show", "m-acme", "--json")
    assert '"overrides": {}' in shown.stdout  # nothing half-applied


def test_reviewer_grammar_and_lifecycle(engine, merchant) -> None:
    added = shopwarden("merchant", "reviewer", "add", "m-acme", "olga", "--role", "owner")
    assert added.returncode == 0 and "olga is now an owner of merchant m-acme" in added.stdout
    token = issue_token(engine, "m-acme", "olga")
    assert shopwarden("merchant", "reviewer", "set-role", "m-acme", "olga", "viewer").stdout.strip() == (
        "olga is now a viewer of merchant m-acme")
    listed = shopwarden("merchant", "reviewer", "list", "m-acme")
    assert listed.stdout.strip() == "olga: viewer, has a token"
    revoked = shopwarden("merchant", "reviewer", "revoke-token", "m-acme", "olga")
    assert revoked.returncode == 0 and "token of olga (m-acme) revoked" in revoked.stdout
    from shopwarden.api.auth import identify

    assert identify(engine, token) is None
    removed = shopwarden("merchant", "reviewer", "remove", "m-acme", "olga")
    assert removed.returncode == 0
    gone = shopwarden("merchant", "reviewer", "remove", "m-acme", "olga")
    assert gone.returncode == 2 and "olga is not a reviewer of merchant m-acme" in gone.stderr


def test_merchant_list_and_show_report_connections(engine, merchant) -> None:
    from shopwarden.db.engine import session_scope
    from shopwarden.db.models import Connection

    with session_scope(engine) as session:
        session.add(Connection(merchant_id="m-acme", platform="ads", status="needs_reauth",
                               status_reason="the access token is missing or was revoked"))
    listed = shopwarden("merchant", "list")
    assert listed.returncode == 0
    assert "m-acme" in listed.stdout and "needs_reauth" in listed.stdout and "not connected" in listed.stdout
    shown = shopwarden("merchant", "show", "m-acme")
    assert "TikTok Ads: needs_reauth (the access token is missing or was revoked)" in shown.stdout
    assert "TikTok Shop: not connected" in shown.stdout


def test_sku_lines_and_spend_are_worded_by_their_number_and_sign() -> None:
    assert describe_target({"product_id": "p1", "skus": [{"id": "k"}]}) == "product p1 (1 SKU line)"
    assert describe_target({"product_id": "p1", "skus": [{}, {}]}) == "product p1 (2 SKU lines)"
    assert _spend_phrase(Decimal("12.50")) == "after 12.50 of extra ad spend"
    assert _spend_phrase(Decimal("-4")) == "counting 4 of ad spend saved"
    assert _spend_phrase(Decimal("0")) == "with the same ad spend"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_api_audit_refuses_a_limit_out_of_range_over_http(engine, merchant) -> None:
    record(engine, AuditEntry(merchant_id="m-acme", tool="list_shops", outcome="read"))
    token = issue_token(engine, "m-acme", "alice", role="reviewer")
    port = _free_port()
    server = subprocess.Popen([installed_script(), "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "shopwarden serve did not start in 30 s"
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        for limit in ("0", "-1", "1001"):
            refused = httpx.get(f"{base}/api/audit", params={"limit": limit}, headers=headers)
            assert refused.status_code == 422, (limit, refused.text)
            assert "limit" in refused.text
        one = httpx.get(f"{base}/api/audit", params={"limit": "1"}, headers=headers)
        assert one.status_code == 200 and len(one.json()) == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_people_never_read_the_idempotency_marker_but_json_keeps_it(engine, merchant) -> None:
    from shopwarden import approvals
    from shopwarden.db.engine import session_scope
    from shopwarden.domain.display import MARKER
    from shopwarden.platforms.ads._markers import MARKER_PATTERN

    assert MARKER.pattern == r"\s?" + MARKER_PATTERN.pattern  # the same marker as the ads adapter's
    with session_scope(engine) as session:
        approvals.create_approval(
            session, merchant_id="m-acme", run_id="r", agent_id="growth_marketer", tool="enable_ads",
            args={"advertiser_id": "a", "object_type": "campaign", "object_id": "c1"},
            reasons=["enabling campaign Summer Sale [sw:0123456789ab] always needs a reviewer's approval"],
            reason_codes=["enable.requires_approval"], rationale="", policy_version="v", requested_by="growth")
    table = shopwarden("approvals", "list")
    assert "enabling campaign Summer Sale always needs" in " ".join(table.stdout.split())
    assert "[sw:" not in table.stdout
    assert "Summer Sale [sw:0123456789ab]" in shopwarden("approvals", "list", "--json").stdout
