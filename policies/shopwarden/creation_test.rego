package shopwarden.creation

campaign_args := {"campaign_name": "Autumn Launch", "budget": 60}

test_disabled_create_is_not_denied if {
	count(deny) == 0 with input.tool as "create_campaign" with input.args as {"campaign_name": "Autumn Launch"} with input.request as {"operation_status": "DISABLE"}
}

test_disabled_create_is_verified if {
	verified with input.tool as "create_campaign" with input.request as {"operation_status": "DISABLE"}
}

test_enabled_create_is_denied if {
	some item in deny with input.tool as "create_adgroup" with input.args as {"adgroup_name": "Hoodies EU"} with input.request as {"operation_status": "ENABLE"}
	item.code == "creation.not_disabled"
	startswith(item.reason, "creates ad group Hoodies EU with status ENABLE")
}

test_create_without_status_is_denied if {
	some item in deny with input.tool as "create_campaign" with input.args as {"campaign_name": "Autumn Launch"} with input.request as {}
	contains(item.reason, "without a status")
}

test_other_tools_are_not_checked if {
	count(deny) == 0 with input.tool as "update_budget" with input.request as {}
}
