package shopwarden.inventory

sku(id, quantity) := {"sku_id": id, "warehouse_id": "w-1", "quantity": quantity}

stock(id, quantity) := {"sku_id": id, "warehouse_id": "w-1", "current_quantity": quantity}

codes(items) := {item.code | some item in items}

test_five_skus_are_allowed if {
	count(deny) == 0 with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 1), sku("b", 1), sku("c", 1), sku("d", 1), sku("e", 1)]} with input.merchant as {"limits": {}}
}

test_six_skus_are_a_bulk_rewrite if {
	codes(deny) == {"inventory.bulk_update"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 1), sku("b", 1), sku("c", 1), sku("d", 1), sku("e", 1), sku("f", 1)]} with input.merchant as {"limits": {}}
}

test_negative_stock_is_denied if {
	codes(deny) == {"inventory.negative_quantity"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", -1)]} with input.merchant as {"limits": {}}
}

test_fractional_stock_is_invalid if {
	codes(deny) == {"input.invalid"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 1.5)]} with input.merchant as {"limits": {}}
}

test_change_at_the_threshold_needs_no_approval if {
	count(approval) == 0 with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 110)]} with input.state as {"skus": [stock("a", 10)]} with input.merchant as {"limits": {}}
}

test_change_over_the_threshold_needs_approval if {
	codes(approval) == {"inventory.large_change"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 111)]} with input.state as {"skus": [stock("a", 10)]} with input.merchant as {"limits": {}}
}

test_zero_current_stock_counts_as_known if {
	count(approval) == 0 with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 5)]} with input.state as {"skus": [stock("a", 0)]} with input.merchant as {"limits": {}}
}

test_unknown_current_stock_needs_approval if {
	codes(approval) == {"inventory.unknown_current_stock"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 5)]} with input.state as {"skus": []} with input.merchant as {"limits": {}}
}

stock_since(id, current, start) := {"sku_id": id, "warehouse_id": "w-1", "current_quantity": current, "start_of_day_quantity": start}

test_small_steps_add_up_to_the_threshold_over_the_day if {
	codes(approval) == {"inventory.large_change"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 111)]} with input.state as {"skus": [stock_since("a", 100, 10)]} with input.merchant as {"limits": {}}
}

test_a_step_within_the_threshold_of_the_start_of_day_runs if {
	count(approval) == 0 with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 105)]} with input.state as {"skus": [stock_since("a", 100, 10)]} with input.merchant as {"limits": {}}
}

test_a_split_back_down_is_measured_from_the_start_of_day_too if {
	codes(approval) == {"inventory.large_change"} with input.tool as "update_sku_inventory" with input.args as {"skus": [sku("a", 0)]} with input.state as {"skus": [stock_since("a", 50, 200)]} with input.merchant as {"limits": {}}
}
