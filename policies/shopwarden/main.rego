# The decision the gate asks for: data.shopwarden.main.decision.
# Precedence: any deny -> deny; else any approval -> require_approval; else allow.
package shopwarden.main

import data.shopwarden.allowlist
import data.shopwarden.autonomy
import data.shopwarden.budget
import data.shopwarden.creation
import data.shopwarden.enable
import data.shopwarden.gmv_max
import data.shopwarden.inventory
import data.shopwarden.lib
import data.shopwarden.tenancy

denials contains item if some item in allowlist.deny

denials contains item if some item in tenancy.deny

denials contains item if some item in autonomy.deny

denials contains item if some item in budget.deny

denials contains item if some item in creation.deny

denials contains item if some item in inventory.deny

denials contains item if some item in contract_violations

denials contains item if some item in gmv_max.deny

approvals contains item if some item in autonomy.approval

approvals contains item if some item in budget.approval

approvals contains item if some item in enable.approval

approvals contains item if some item in inventory.approval

approvals contains item if some item in gmv_max.approval

# A mutation runs on its own only when its tool's checks could all be evaluated.
approvals contains {
	"code": "policy.unverified",
	"reason": sprintf("the policy could not check %s against the merchant's limits", [lib.action_phrase]),
} if {
	lib.is_mutation
	input.tool in lib.mutating_tools
	not verified
}

verified if {
	input.tool == "update_budget"
	budget.verified
}

verified if {
	input.tool in {"create_campaign", "create_adgroup"}
	creation.verified
	budget.verified
}

verified if {
	input.tool == "update_sku_inventory"
	inventory.verified
}

verified if input.tool in {"pause_ads", "enable_ads"}

verified if gmv_max.verified

contract_violations contains {
	"code": "policy.unknown_tool",
	"reason": sprintf("no policy covers the tool %v, so it cannot change anything", [input.tool]),
} if {
	lib.is_mutation
	not input.tool in lib.mutating_tools
}

contract_violations contains {
	"code": "input.invalid",
	"reason": "the policy input names no tool",
} if {
	not is_string(input.tool)
}

allowances contains {"code": "allow.read", "reason": "reads are allowed"} if not lib.is_mutation

allowances contains item if some item in gmv_max.allowance

allowances contains {
	"code": "allow.within_limits",
	"reason": sprintf("%s is inside the merchant's limits at autonomy level guarded", [lib.action_phrase]),
} if {
	lib.is_mutation
}

outcome := outcome_of(denials, approvals)

outcome_of(denied, approved) := "deny" if {
	count(denied) > 0
} else := "require_approval" if {
	count(approved) > 0
} else := "allow"

deciding := denials if outcome == "deny"

deciding := approvals if outcome == "require_approval"

deciding := allowances if outcome == "allow"

# Sorted by code then sentence, so both engines list reasons in the same order.
ordered := ordered_of(deciding)

ordered_of(items) := sort([[item.code, item.reason] | some item in items])

obligations := autonomy.obligations if outcome == "deny"

obligations := {} if outcome != "deny"

decision := {
	"decision": outcome,
	"reasons": [pair[1] | some pair in ordered],
	"reason_codes": sort({pair[0] | some pair in ordered}),
	"obligations": obligations,
	"policy_version": policy_version,
}

# Written into data by the loader (embedded) or by `shopwarden policy push` (OPA server).
default policy_version := "unversioned"

policy_version := data.shopwarden.bundle.version
