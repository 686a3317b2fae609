package shopwarden.tenancy

test_own_resource_is_not_denied if {
	count(deny) == 0 with input.merchant as {"id": "m-acme"} with input.state as {"resource_merchant_id": "m-acme"}
}

test_other_merchants_resource_is_denied if {
	some item in deny with input.merchant as {"id": "m-acme"} with input.state as {"resource_merchant_id": "m-other"}
	item.code == "tenancy.cross_tenant"
}

test_reason_does_not_name_the_other_merchant if {
	some item in deny with input.merchant as {"id": "m-acme"} with input.state as {"resource_merchant_id": "m-other"}
	not contains(item.reason, "m-other")
}

test_call_naming_no_resource_is_not_denied if {
	count(deny) == 0 with input.merchant as {"id": "m-acme"} with input.state as {}
}
