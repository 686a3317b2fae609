# Rego cannot replace the whole input here (rego-cpp 1.5.2 crashes on `with input as {...}`),
# so tests override input.<key> with literals or function results.
package shopwarden.lib

test_merchant_limit_overrides_default if {
	limit("daily_budget_change_pct") == 35 with input.merchant as {"limits": {"daily_budget_change_pct": 35}}
}

test_missing_merchant_limit_falls_back_to_data if {
	limit("daily_budget_change_pct") == 20 with input.merchant as {"limits": {}}
}

test_non_numeric_merchant_limit_falls_back_to_data if {
	limit("max_skus_per_call") == 5 with input.merchant as {"limits": {"max_skus_per_call": "many"}}
}

test_cents_absorb_float_noise if {
	cents(0.1 + 0.2) == 30
}

test_money_has_two_decimals if {
	money(12000) == "120.00"
	money(12001) == "120.01"
	money(5) == "0.05"
	money(0) == "0.00"
	money(-1999) == "-19.99"
	money(123456789012) == "1234567890.12"
	money(cents(0.1 + 0.2)) == "0.30"
}

test_mutating_tool_labelled_read_is_a_mutation if {
	is_mutation with input.tool as "update_budget" with input.action as "read"
}

test_read_tool_is_not_a_mutation if {
	not is_mutation with input.tool as "list_campaigns" with input.action as "read"
}

test_object_label_prefers_the_name if {
	object_label == "campaign Summer Sale" with input.tool as "update_budget" with input.args as {"object_type": "campaign", "object_id": "c-1"} with input.state as {"object_name": "Summer Sale"}
}

test_object_label_falls_back_to_the_id if {
	object_label == "ad group ag-1" with input.tool as "pause_ads" with input.args as {"object_type": "adgroup", "object_id": "ag-1"} with input.state as {}
}
