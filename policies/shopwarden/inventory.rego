# Inventory: per-SKU updates only (bulk rewrites refused), stock never below 0,
# and large changes need a reviewer.
package shopwarden.inventory

import data.shopwarden.lib

is_inventory if input.tool == "update_sku_inventory"

skus := input.args.skus if {
	is_inventory
	is_array(input.args.skus)
}

max_skus := lib.limit("max_skus_per_call")

threshold := lib.limit("inventory_change_approval_threshold")

# An array, not "sku/warehouse" text: "a/b" in warehouse "c" and "a" in warehouse "b/c" are two SKUs.
sku_key(sku) := [sku.sku_id, sku.warehouse_id]

current_quantity[sku_key(sku)] := sku.current_quantity if {
	is_inventory
	some sku in input.state.skus
	is_number(sku.current_quantity)
}

deny contains {
	"code": "inventory.bulk_update",
	"reason": sprintf(
		"updates %v SKUs in one call; at most %v SKUs may be updated per call, so bulk rewrites are refused",
		[count(skus), max_skus],
	),
	"params": {"sku_count": count(skus), "max_skus": max_skus},
} if {
	count(skus) > max_skus
}

deny contains {
	"code": "inventory.no_skus",
	"reason": "the inventory update names no SKU",
} if {
	count(skus) == 0
}

deny contains {
	"code": "inventory.negative_quantity",
	"reason": sprintf(
		"sets the stock of SKU %v in warehouse %v to %v; stock cannot be below 0",
		[sku.sku_id, sku.warehouse_id, sku.quantity],
	),
	"params": {"sku_id": sku.sku_id, "warehouse_id": sku.warehouse_id, "quantity": sku.quantity},
} if {
	some sku in skus
	is_number(sku.quantity)
	sku.quantity < 0
}

deny contains {
	"code": "input.invalid",
	"reason": sprintf("the quantity for SKU %v is not a whole number", [sku.sku_id]),
	"params": {"field": "args.skus.quantity", "sku_id": sku.sku_id},
} if {
	some sku in skus
	not whole_number(sku.quantity)
}

deny contains {
	"code": "input.invalid",
	"reason": "the policy input has no valid args.skus (a list is required)",
	"params": {"field": "args.skus"},
} if {
	is_inventory
	not is_array(input.args.skus)
}

whole_number(value) if {
	is_number(value)
	value == floor(value)
}

# Cumulative per SKU per day: a change is measured from the stock at the start of the day (the
# inventory ledger's first entry today, sent as start_of_day_quantity), so stepping or splitting
# a large change over several calls meets the same threshold as making it at once.
start_of_day_quantity[sku_key(sku)] := sku.start_of_day_quantity if {
	is_inventory
	some sku in input.state.skus
	is_number(sku.start_of_day_quantity)
}

baseline(sku) := start_of_day_quantity[sku_key(sku)]

baseline(sku) := current_quantity[sku_key(sku)] if not start_of_day_quantity[sku_key(sku)]

approval contains {
	"code": "inventory.large_change",
	"reason": sprintf(
		"changes the stock of SKU %v in warehouse %v from %v to %v (%v units), above the approval threshold of %v units",
		[sku.sku_id, sku.warehouse_id, current, sku.quantity, change, threshold],
	),
	"params": {
		"sku_id": sku.sku_id, "warehouse_id": sku.warehouse_id, "current_quantity": current,
		"quantity": sku.quantity, "change": change, "threshold": threshold,
	},
} if {
	some sku in skus
	current := current_quantity[sku_key(sku)]
	start := baseline(sku)
	start == current
	change := abs(sku.quantity - current)
	change > threshold
}

approval contains {
	"code": "inventory.large_change",
	"reason": sprintf(
		"changes the stock of SKU %v in warehouse %v to %v, %v units from its %v at the start of the day (now %v), above the approval threshold of %v units",
		[sku.sku_id, sku.warehouse_id, sku.quantity, change, start, current, threshold],
	),
} if {
	some sku in skus
	current := current_quantity[sku_key(sku)]
	start := baseline(sku)
	start != current
	change := abs(sku.quantity - start)
	change > threshold
}

approval contains {
	"code": "inventory.unknown_current_stock",
	"reason": sprintf(
		"the current stock of SKU %v in warehouse %v is unknown, so the size of the change cannot be checked",
		[sku.sku_id, sku.warehouse_id],
	),
	"params": {"sku_id": sku.sku_id, "warehouse_id": sku.warehouse_id},
} if {
	some sku in skus
	not has_current(sku)
}

has_current(sku) if current_quantity[sku_key(sku)]

verified if {
	count(skus) > 0
	every sku in skus {
		whole_number(sku.quantity)
	}
}
