package shopwarden.autonomy

merchant(level) := {"id": "m-acme", "autonomy": level, "limits": {}}

codes(items) := {item.code | some item in items}

test_observe_denies_mutations if {
	codes(deny) == {"autonomy.observe"} with input.tool as "pause_ads" with input.action as "mutate" with input.merchant as merchant("observe")
}

test_observe_records_a_recommendation if {
	obligations == {"record_as": "recommendation"} with input.tool as "pause_ads" with input.action as "mutate" with input.merchant as merchant("observe")
}

test_observe_allows_reads if {
	count(deny) == 0 with input.tool as "list_campaigns" with input.action as "read" with input.merchant as merchant("observe")
}

test_suggest_asks_approval_for_mutations if {
	codes(approval) == {"autonomy.suggest"} with input.tool as "update_sku_inventory" with input.action as "mutate" with input.merchant as merchant("suggest")
}

test_suggest_leaves_reads_alone if {
	count(approval) == 0 with input.tool as "list_campaigns" with input.action as "read" with input.merchant as merchant("suggest")
}

test_guarded_adds_nothing if {
	count(deny) + count(approval) == 0 with input.tool as "update_budget" with input.action as "mutate" with input.merchant as merchant("guarded")
}

test_unknown_level_is_denied if {
	codes(deny) == {"autonomy.unknown"} with input.tool as "list_campaigns" with input.action as "read" with input.merchant as merchant("yolo")
}
