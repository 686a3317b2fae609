# GMV Max (TikTok Shop's only Sales campaign type): launches, ROI targets, ROI protection.
# Budgets of GMV Max campaigns go through update_budget (object_type gmv_max_campaign), so the
# daily change limit, the hard limit and the account-wide cap in budget.rego apply unchanged.
package shopwarden.gmv_max

import data.shopwarden.lib

launch_tool := "launch_gmv_max_campaign"

roi_tool := "update_roi_target"

is_launch if input.tool == launch_tool

is_roi_change if input.tool == roi_tool

# --- launch: a reviewer always decides, before anything is sent ------------------------------

approval contains {
	"code": "gmv_max.launch_needs_approval",
	"reason": sprintf(
		"launching GMV Max campaign %s always needs a reviewer's approval: TikTok cannot create it paused, so it may start spending as soon as it is created, and nothing is sent before the approval",
		[lib.object_name],
	),
} if {
	is_launch
	input.state.starts_delivering_on_create == true
}

approval contains {
	"code": "gmv_max.launch_needs_approval",
	"reason": sprintf("launching GMV Max campaign %s always needs a reviewer's approval", [lib.object_name]),
} if {
	is_launch
	not input.state.starts_delivering_on_create == true
}

deny contains {
	"code": "gmv_max.not_authorized",
	"reason": sprintf(
		"ad account %s does not hold the exclusive GMV Max authorization of shop %s (status %s), so TikTok would refuse the campaign",
		[input.args.advertiser_id, input.args.store_id, object.get(input.state, "authorization_status", "unknown")],
	),
} if {
	is_launch
	object.get(input.state, "authorization_status", "") != "EFFECTIVE"
}

deny contains {
	"code": "gmv_max.store_unavailable",
	"reason": sprintf("shop %s is not available for GMV Max in ad account %s", [input.args.store_id, input.args.advertiser_id]),
} if {
	is_launch
	input.state.store_available == false
}

# The first id goes in the typed params, not joined into the sentence: rego-cpp 1.5.2 quotes concat
# results, so joined text would read differently on each engine (params are scalars).
deny contains {
	"code": "gmv_max.products_not_launchable",
	"reason": sprintf(
		"%d of the products to launch cannot get a new GMV Max campaign (not listed, or already promoted by another one)",
		[count(input.state.unlaunchable_item_group_ids)],
	),
	"params": {
		"count": count(input.state.unlaunchable_item_group_ids),
		"first_item_group_id": sort(input.state.unlaunchable_item_group_ids)[0],
	},
} if {
	is_launch
	count(object.get(input.state, "unlaunchable_item_group_ids", [])) > 0
}

# --- ROI target: its own daily limit; every change voids ROI protection for the day -----------

protection_note := "; changing the ROI target voids TikTok's ROI protection for this campaign for the rest of the day"

new_roi_cents := lib.cents(input.args.roas_bid) if is_number(input.args.roas_bid)

start_roi_cents := lib.cents(input.state.start_of_day_roas_bid) if is_number(input.state.start_of_day_roas_bid)

current_roi_cents := lib.cents(input.state.current_roas_bid) if is_number(input.state.current_roas_bid)

roi_pct := lib.limit("roi_target_change_pct")

roi_changes_max := lib.limit("roi_target_changes_per_day")

roi_distance_cents := abs(new_roi_cents - start_roi_cents)

roi_allowed_cents := floor((start_roi_cents * roi_pct) / 100)

approval contains {
	"code": "gmv_max.roi_target_change_limit",
	"reason": sprintf(
		"changes the ROI target of GMV Max campaign %s from %s to %s, more than %s away from today's starting target of %s%s",
		[
			lib.object_name, lib.money(current_roi_cents), lib.money(new_roi_cents), lib.percent(roi_pct),
			lib.money(start_roi_cents), protection_note,
		],
	),
} if {
	is_roi_change
	roi_distance_cents > roi_allowed_cents
}

approval contains {
	"code": "gmv_max.roi_target_changes_per_day",
	"reason": sprintf(
		"would be change number %v of the ROI target of GMV Max campaign %s today, above the limit of %v a day%s",
		[input.state.roi_changes_today + 1, lib.object_name, roi_changes_max, protection_note],
	),
} if {
	is_roi_change
	is_number(input.state.roi_changes_today)
	input.state.roi_changes_today >= roi_changes_max
}

deny contains {
	"code": "input.invalid",
	"reason": sprintf("the policy input has no valid %s (a number is required)", [field]),
} if {
	is_roi_change
	some field in ["args.roas_bid", "state.current_roas_bid", "state.start_of_day_roas_bid", "state.roi_changes_today"]
	parts := split(field, ".")
	not is_number(object.get(object.get(input, parts[0], {}), parts[1], null))
}

# When the change is inside the limits the allow still says what it costs.
allowance contains {
	"code": "gmv_max.voids_roi_protection",
	"reason": sprintf("changing the ROI target of GMV Max campaign %s voids TikTok's ROI protection for it for the rest of the day", [lib.object_name]),
} if {
	is_roi_change
	lib.is_mutation
}

allowance contains {
	"code": "gmv_max.voids_roi_protection",
	"reason": sprintf("pausing GMV Max campaign %s voids TikTok's ROI protection for it for the rest of the day", [lib.object_name]),
} if {
	input.tool == "pause_ads"
	input.args.object_type == "gmv_max_campaign"
}

# --- positive evidence that every check above could be evaluated ------------------------------

verified if {
	is_launch
	is_string(input.state.authorization_status)
	is_boolean(input.state.starts_delivering_on_create)
	data.shopwarden.budget.verified
}

verified if {
	is_roi_change
	is_number(roi_distance_cents)
	is_number(roi_allowed_cents)
	is_number(input.state.roi_changes_today)
	is_number(roi_changes_max)
}
