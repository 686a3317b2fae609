# Autonomy levels: observe (no changes), suggest (every change approved), guarded (limits decide).
package shopwarden.autonomy

import data.shopwarden.lib

levels := {"observe", "suggest", "guarded"}

deny contains {
	"code": "autonomy.observe",
	"reason": sprintf(
		"the merchant's autonomy level is observe, so %s is recorded as a recommendation and not carried out",
		[lib.action_phrase],
	),
	"params": {"autonomy": "observe", "tool": input.tool},
} if {
	input.merchant.autonomy == "observe"
	lib.is_mutation
}

deny contains {
	"code": "autonomy.unknown",
	"reason": sprintf("the merchant's autonomy level %v is not one of observe, suggest, guarded", [level]),
	"params": {"autonomy": level},
} if {
	level := object.get(input.merchant, "autonomy", "(missing)")
	not level in levels
}

approval contains {
	"code": "autonomy.suggest",
	"reason": sprintf("the merchant's autonomy level is suggest, so %s needs a reviewer's approval", [lib.action_phrase]),
	"params": {"autonomy": "suggest", "tool": input.tool},
} if {
	input.merchant.autonomy == "suggest"
	lib.is_mutation
}

default obligations := {}

obligations := {"record_as": "recommendation"} if {
	input.merchant.autonomy == "observe"
	lib.is_mutation
}
