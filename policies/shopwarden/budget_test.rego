package shopwarden.budget

args(amount) := {"object_type": "campaign", "object_id": "c-1", "budget": amount}

state(current, start, increase) := {
	"object_name": "Summer Sale",
	"current_budget": current,
	"start_of_day_budget": start,
	"account_increase_today": increase,
	"day": "2024-05-01",
}

codes(items) := {item.code | some item in items}

test_exactly_at_the_daily_limit_needs_no_approval if {
	count(approval) == 0 with input.tool as "update_budget" with input.args as args(120) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
}

test_one_cent_over_the_daily_limit_needs_approval if {
	some item in approval with input.tool as "update_budget" with input.args as args(120.01) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
	item.code == "budget.daily_change_limit"
	item.reason == "raises the daily budget of campaign Summer Sale from 100.00 to 120.01, above today's limit of 120.00 (start of day 100.00 + 20%)"
}

test_second_raise_counts_against_the_start_of_day if {
	codes(approval) == {"budget.daily_change_limit"} with input.tool as "update_budget" with input.args as args(125) with input.state as state(115, 100, 15) with input.merchant as {"limits": {}}
}

test_decrease_after_raise_is_fine if {
	count(approval) + count(deny) == 0 with input.tool as "update_budget" with input.args as args(100) with input.state as state(120, 100, 20) with input.merchant as {"limits": {}}
}

test_new_day_start_resets_the_allowance if {
	count(approval) == 0 with input.tool as "update_budget" with input.args as args(144) with input.state as state(120, 120, 0) with input.merchant as {"limits": {}}
}

test_exactly_at_the_hard_limit_is_not_denied if {
	count(deny) == 0 with input.tool as "update_budget" with input.args as args(200) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
}

test_one_cent_over_the_hard_limit_is_denied if {
	codes(deny) == {"budget.hard_change_limit"} with input.tool as "update_budget" with input.args as args(200.01) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
}

test_merchant_percentage_is_used if {
	count(approval) == 0 with input.tool as "update_budget" with input.args as args(150) with input.state as state(100, 100, 0) with input.merchant as {"limits": {"daily_budget_change_pct": 50}}
}

test_campaign_minimum_is_inclusive if {
	count(deny) == 0 with input.tool as "update_budget" with input.args as args(50) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
}

test_one_cent_under_the_campaign_minimum_is_denied if {
	codes(deny) == {"budget.below_minimum"} with input.tool as "update_budget" with input.args as args(49.99) with input.state as state(100, 100, 0) with input.merchant as {"limits": {}}
}

test_adgroup_minimum_applies_to_creates if {
	codes(deny) == {"budget.below_minimum"} with input.tool as "create_adgroup" with input.args as {"adgroup_name": "Hoodies EU", "budget": 19.99} with input.state as {} with input.merchant as {"limits": {}}
}

test_account_cap_is_inclusive if {
	count(approval) == 0 with input.tool as "update_budget" with input.args as args(110) with input.state as state(100, 100, 490) with input.merchant as {"limits": {}}
}

test_one_cent_over_the_account_cap_needs_approval if {
	codes(approval) == {"budget.account_daily_cap"} with input.tool as "update_budget" with input.args as args(110.01) with input.state as state(100, 100, 490) with input.merchant as {"limits": {}}
}

test_stale_day_is_denied if {
	codes(deny) == {"budget.stale_day"} with input.tool as "update_budget" with input.args as args(110) with input.state as object.union(state(100, 100, 0), {"today": "2024-05-02"}) with input.merchant as {"limits": {}}
}

test_missing_start_of_day_is_invalid_and_unverified if {
	codes(deny) == {"input.invalid"} with input.tool as "update_budget" with input.args as args(110) with input.state as {"current_budget": 100, "account_increase_today": 0} with input.merchant as {"limits": {}}
	not verified with input.tool as "update_budget" with input.args as args(110) with input.state as {"current_budget": 100, "account_increase_today": 0} with input.merchant as {"limits": {}}
}
