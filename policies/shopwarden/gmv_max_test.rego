package shopwarden.gmv_max

launch_args(name) := {
	"advertiser_id": "adv-1", "store_id": "shop-1", "campaign_name": name,
	"item_group_ids": ["p-1"], "budget": 50, "roas_bid": 3,
}

launch_state(status, delivering) := {
	"currency": "USD", "authorization_status": status, "store_available": true,
	"starts_delivering_on_create": delivering, "unlaunchable_item_group_ids": [],
}

roi_state(current, start, changes) := {
	"object_name": "Hoodie - GMV Max", "current_roas_bid": current, "start_of_day_roas_bid": start,
	"roi_changes_today": changes,
}

codes(items) := {item.code | some item in items}

test_launch_that_may_deliver_at_once_is_held_for_a_reviewer if {
	some item in approval with input.tool as "launch_gmv_max_campaign" with input.args as launch_args("Hoodie - GMV Max") with input.state as launch_state("EFFECTIVE", true)
	item.code == "gmv_max.launch_needs_approval"
	contains(item.reason, "TikTok cannot create it paused")
	contains(item.reason, "nothing is sent before the approval")
}

test_launch_needs_a_reviewer_even_when_it_could_be_created_paused if {
	codes(approval) == {"gmv_max.launch_needs_approval"} with input.tool as "launch_gmv_max_campaign" with input.args as launch_args("Hoodie - GMV Max") with input.state as launch_state("EFFECTIVE", false)
}

test_launch_without_the_exclusive_authorization_is_denied if {
	some item in deny with input.tool as "launch_gmv_max_campaign" with input.args as launch_args("Hoodie - GMV Max") with input.state as launch_state("UNAUTHORIZED", true)
	item.code == "gmv_max.not_authorized"
	# the whole sentence is pinned in decisions.yaml (rego-cpp's `with` changes how it renders here)
	startswith(item.reason, "ad account adv-1 does not hold the exclusive GMV Max authorization of shop shop-1")
}

test_launch_with_an_occupied_product_is_denied if {
	codes(deny) == {"gmv_max.products_not_launchable"} with input.tool as "launch_gmv_max_campaign" with input.args as launch_args("Hoodie - GMV Max") with input.state as object.union(launch_state("EFFECTIVE", true), {"unlaunchable_item_group_ids": ["p-1"]})
}

test_authorized_launch_is_verified if {
	verified with input.tool as "launch_gmv_max_campaign" with input.args as launch_args("Hoodie - GMV Max") with input.state as launch_state("EFFECTIVE", true) with input.merchant as {"limits": {}}
}

test_roi_change_exactly_at_the_limit_needs_no_approval if {
	count(approval) == 0 with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.6} with input.state as roi_state(3, 3, 0) with input.merchant as {"limits": {}}
}

test_roi_change_one_cent_over_the_limit_needs_approval_and_says_it_voids_protection if {
	some item in approval with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.61} with input.state as roi_state(3, 3, 0) with input.merchant as {"limits": {}}
	item.code == "gmv_max.roi_target_change_limit"
	item.reason == "changes the ROI target of GMV Max campaign Hoodie - GMV Max from 3.00 to 3.61, more than 20% away from today's starting target of 3.00; changing the ROI target voids TikTok's ROI protection for this campaign for the rest of the day"
}

test_roi_lowering_is_limited_too if {
	codes(approval) == {"gmv_max.roi_target_change_limit"} with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 2.39} with input.state as roi_state(3, 3, 0) with input.merchant as {"limits": {}}
}

test_roi_ping_pong_is_measured_against_the_start_of_day if {
	codes(approval) == {"gmv_max.roi_target_change_limit", "gmv_max.roi_target_changes_per_day"} with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.7} with input.state as roi_state(3.5, 3, 1) with input.merchant as {"limits": {}}
}

test_second_roi_change_of_the_day_needs_approval if {
	codes(approval) == {"gmv_max.roi_target_changes_per_day"} with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.1} with input.state as roi_state(3, 3, 1) with input.merchant as {"limits": {}}
}

test_merchant_roi_limits_replace_the_defaults if {
	count(approval) == 0 with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 4.5} with input.state as roi_state(3, 3, 2) with input.merchant as {"limits": {"roi_target_change_pct": 50, "roi_target_changes_per_day": 3}}
}

test_roi_change_inside_the_limits_still_says_what_it_costs if {
	codes(allowance) == {"gmv_max.voids_roi_protection"} with input.tool as "update_roi_target" with input.action as "mutate" with input.args as {"campaign_id": "g-1", "roas_bid": 3.1} with input.state as roi_state(3, 3, 0)
}

test_roi_change_without_a_start_of_day_is_invalid_and_unverified if {
	codes(deny) == {"input.invalid"} with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.1} with input.state as {"current_roas_bid": 3, "roi_changes_today": 0} with input.merchant as {"limits": {}}
	not verified with input.tool as "update_roi_target" with input.args as {"campaign_id": "g-1", "roas_bid": 3.1} with input.state as {"current_roas_bid": 3, "roi_changes_today": 0} with input.merchant as {"limits": {}}
}

test_pausing_a_gmv_max_campaign_notes_the_lost_protection if {
	codes(allowance) == {"gmv_max.voids_roi_protection"} with input.tool as "pause_ads" with input.args as {"object_type": "gmv_max_campaign", "object_id": "g-1"} with input.state as {"object_name": "Hoodie - GMV Max"}
}

test_other_tools_are_left_alone if {
	count(approval) + count(deny) + count(allowance) == 0 with input.tool as "update_budget" with input.args as {"object_type": "campaign", "object_id": "c-1", "budget": 60} with input.state as {}
}
