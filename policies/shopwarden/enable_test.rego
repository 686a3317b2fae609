package shopwarden.enable

test_enable_needs_approval if {
	approval == {{
		"code": "enable.needs_approval",
		"reason": "enabling campaign Summer Sale always needs a reviewer's approval",
		"params": {"object": "campaign Summer Sale", "object_id": "c-1"},
	}} with input.tool as "enable_ads" with input.args as {"object_type": "campaign", "object_id": "c-1"} with input.state as {"object_name": "Summer Sale"}
}

test_enable_of_unknown_object_type_still_needs_approval if {
	some item in approval with input.tool as "enable_ads" with input.args as {"object_type": "ad", "object_id": "x-1"} with input.state as {}
	item.reason == "enabling object x-1 always needs a reviewer's approval"
}

test_pause_needs_no_approval_here if {
	count(approval) == 0 with input.tool as "pause_ads" with input.args as {"object_type": "campaign", "object_id": "c-1"} with input.state as {}
}
