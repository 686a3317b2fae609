# Whole decisions are covered by policies/decisions.yaml (both engines); here: precedence and ordering.
# (`decision with input.… as …` takes rego-cpp 1.5.2 tens of seconds to compile, so it is not used here.)
package shopwarden.main

import data.shopwarden.lib

deny_item := {"code": "allowlist.tool_not_allowed", "reason": "no"}

approval_item := {"code": "budget.daily_change_limit", "reason": "over"}

test_any_deny_wins if {
	outcome_of({{"code": "a", "reason": "x"}}, {{"code": "b", "reason": "y"}}) == "deny"
}

test_approval_beats_allow if {
	outcome_of(set(), {{"code": "b", "reason": "y"}}) == "require_approval"
}

test_nothing_found_is_allow if {
	outcome_of(set(), set()) == "allow"
}

test_reasons_are_ordered_by_code_then_sentence if {
	ordered_of({
		{"code": "z.code", "reason": "first written"},
		{"code": "a.code", "reason": "b sentence"},
		{"code": "a.code", "reason": "a sentence"},
	}) == [["a.code", "a sentence", {}], ["a.code", "b sentence", {}], ["z.code", "first written", {}]]
}

test_reasons_keep_their_typed_parameters if {
	ordered_of({{"code": "b.code", "reason": "r", "params": {"budget_cents": 12001, "object_name": "x\"y"}}}) == [[
		"b.code", "r",
		{"budget_cents": 12001, "object_name": "x\"y"},
	]]
}

test_every_mutating_tool_has_a_verification_path if {
	covered := {
		"update_budget", "create_campaign", "create_adgroup", "update_sku_inventory", "pause_ads", "enable_ads",
		"launch_gmv_max_campaign", "update_roi_target",
	}
	covered == lib.mutating_tools
}

test_every_mutating_tool_has_its_checks_listed if {
	listed := {tool | tool_checks[tool]}
	lib.mutating_tools == listed
}
