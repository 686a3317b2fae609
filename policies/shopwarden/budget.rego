# Budgets: minima, the daily change limit (cumulative against the start-of-day budget,
# so raising and lowering within a day cannot escape it) and the account-wide daily cap.
package shopwarden.budget

import data.shopwarden.lib

minimum_limits := {"campaign": "min_campaign_budget", "adgroup": "min_adgroup_budget", "gmv_max_campaign": "min_gmv_max_budget"}

budget_tools := {"update_budget", "create_campaign", "create_adgroup", "launch_gmv_max_campaign"}

is_update if input.tool == "update_budget"

budget_mode := mode if {
	mode := input.args.budget_mode
	is_string(mode)
} else := input.state.budget_mode

budget_noun := "budget" if {
	budget_mode == "BUDGET_MODE_TOTAL"
} else := "daily budget"

new_cents := lib.cents(input.args.budget) if {
	input.tool in budget_tools
	is_number(input.args.budget)
}

minimum_cents := lib.cents(lib.limit(minimum_limits[lib.object_type]))

start_cents := lib.cents(input.state.start_of_day_budget) if is_update

current_cents := lib.cents(input.state.current_budget) if is_update

change_pct := lib.limit("daily_budget_change_pct")

hard_pct := lib.limit("hard_budget_change_pct")

limit_cents := start_cents + floor((start_cents * change_pct) / 100)

hard_limit_cents := start_cents + floor((start_cents * hard_pct) / 100)

is_increase if new_cents > current_cents

# The account-wide increase today, as it would be after this change.
account_increase_after_cents := ((lib.cents(input.state.account_increase_today) - max([0, current_cents - start_cents])) + max([0, new_cents - start_cents]))

account_cap_cents := lib.cents(lib.limit("account_daily_increase_max"))

# The object a reason is about, as typed values (the sentence also names it, for people).
object_params := {"object_type": lib.object_type, "object_name": lib.object_name}

deny contains {
	"code": "budget.below_minimum",
	"reason": sprintf(
		"sets the %s of %s to %s, below the minimum of %s for %s",
		[budget_noun, lib.object_label, lib.money(new_cents), lib.money(minimum_cents), lib.a_object_words[lib.object_type]],
	),
	"params": object.union(object_params, {"budget_cents": new_cents, "minimum_cents": minimum_cents}),
} if {
	new_cents < minimum_cents
}

approval contains {
	"code": "budget.daily_change_limit",
	"reason": sprintf(
		"raises the %s of %s from %s to %s, above today's limit of %s (start of day %s + %s)",
		[
			budget_noun, lib.object_label, lib.money(current_cents), lib.money(new_cents),
			lib.money(limit_cents), lib.money(start_cents), lib.percent(change_pct),
		],
	),
	"params": object.union(object_params, {
		"current_cents": current_cents, "budget_cents": new_cents, "limit_cents": limit_cents,
		"start_of_day_cents": start_cents, "limit_pct": change_pct,
	}),
} if {
	is_increase
	new_cents > limit_cents
	new_cents <= hard_limit_cents
}

deny contains {
	"code": "budget.hard_change_limit",
	"reason": sprintf(
		"raises the %s of %s from %s to %s, above today's hard limit of %s (start of day %s + %s), which no approval can lift",
		[
			budget_noun, lib.object_label, lib.money(current_cents), lib.money(new_cents),
			lib.money(hard_limit_cents), lib.money(start_cents), lib.percent(hard_pct),
		],
	),
	"params": object.union(object_params, {
		"current_cents": current_cents, "budget_cents": new_cents, "limit_cents": hard_limit_cents,
		"start_of_day_cents": start_cents, "limit_pct": hard_pct,
	}),
} if {
	is_increase
	new_cents > hard_limit_cents
}

approval contains {
	"code": "budget.account_daily_cap",
	"reason": sprintf(
		"brings today's total budget increase across the ad account to %s, above the daily cap of %s",
		[lib.money(account_increase_after_cents), lib.money(account_cap_cents)],
	),
	"params": {"increase_after_cents": account_increase_after_cents, "cap_cents": account_cap_cents},
} if {
	is_increase
	account_increase_after_cents > account_cap_cents
}

# The start-of-day budget must be for the advertiser's current day, or the limit is measured
# against the wrong base.
deny contains {
	"code": "budget.stale_day",
	"reason": sprintf(
		"the start-of-day budget given is for %v, but it is already %v in the advertiser's time zone; the budget ledger must be refreshed first",
		[input.state.day, input.state.today],
	),
	"params": {"day": input.state.day, "today": input.state.today},
} if {
	is_update
	input.state.day != input.state.today
}

required_numbers := {"args": ["budget"], "state": ["current_budget", "start_of_day_budget", "account_increase_today"]}

deny contains {
	"code": "input.invalid",
	"reason": sprintf("the policy input has no valid %s.%s (a number is required)", [section, field]),
	"params": {"field": sprintf("%s.%s", [section, field])},
} if {
	is_update
	some section, fields in required_numbers
	some field in fields
	not is_number(object.get(object.get(input, section, {}), field, null))
}

# Positive evidence that every check above could be evaluated; without it the gate asks a human.
verified if {
	is_update
	is_number(new_cents)
	is_number(minimum_cents)
	is_number(limit_cents)
	is_number(hard_limit_cents)
	is_number(account_increase_after_cents)
	is_number(account_cap_cents)
}

verified if {
	not is_update
	is_number(new_cents)
	is_number(minimum_cents)
}

verified if {
	not is_update
	budget_mode == "BUDGET_MODE_INFINITE"
}
