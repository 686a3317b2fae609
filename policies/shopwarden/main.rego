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

# Checks every call takes, whatever the tool.
denials contains item if some item in allowlist.deny

denials contains item if some item in tenancy.deny

denials contains item if some item in autonomy.deny

denials contains item if some item in contract_violations

denials contains item if some item in gmv_max.deny

approvals contains item if some item in autonomy.approval

# The rule families that check each tool: one line per tool, so only the called tool's rules run.
# A tool that is not listed takes the common checks only (and a mutation by it is refused below).
tool_checks := {
	"update_budget": {"budget"},
	"create_campaign": {"budget", "creation"},
	"create_adgroup": {"budget", "creation"},
	"enable_ads": {"enable"},
	"pause_ads": set(),
	"update_sku_inventory": {"inventory"},
	"launch_gmv_max_campaign": {"budget"},
	"update_roi_target": set(),
}

checks := object.get(tool_checks, input.tool, set())

# One line per family and rule set.
denials contains item if {
	"budget" in checks
	some item in budget.deny
}

denials contains item if {
	"creation" in checks
	some item in creation.deny
}

denials contains item if {
	"inventory" in checks
	some item in inventory.deny
}

approvals contains item if {
	"budget" in checks
	some item in budget.approval
}

approvals contains item if {
	"enable" in checks
	some item in enable.approval
}

approvals contains item if {
	"inventory" in checks
	some item in inventory.approval
}

approvals contains item if some item in gmv_max.approval

# A mutation runs on its own only when its tool's checks could all be evaluated.
approvals contains {
	"code": "policy.unverified",
	"reason": sprintf("the policy could not check %s against the merchant's limits", [lib.action_phrase]),
	"params": {"tool": input.tool},
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
	"params": {"tool": input.tool},
} if {
	lib.is_mutation
	not input.tool in lib.mutating_tools
}

contract_violations contains {
	"code": "input.invalid",
	"reason": "the policy input names no tool",
	"params": {"field": "tool"},
} if {
	not is_string(input.tool)
}

allowances contains {"code": "allow.read", "reason": "reads are allowed"} if not lib.is_mutation

allowances contains item if some item in gmv_max.allowance

allowances contains {
	"code": "allow.within_limits",
	"reason": sprintf("%s is inside the merchant's limits at autonomy level guarded", [lib.action_phrase]),
	"params": {"tool": input.tool},
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

# Sorted by code then sentence, so every engine lists reasons in the same order. Each reason keeps
# its typed parameters (ids, names, cents) beside the sentence, so nothing needs to read them back
# out of text.
ordered := ordered_of(deciding)

ordered_of(items) := sort([[item.code, item.reason, object.get(item, "params", {})] | some item in items])

obligations := autonomy.obligations if outcome == "deny"

obligations := {} if outcome != "deny"

decision := {
	"decision": outcome,
	"reasons": [entry[1] | some entry in ordered],
	"reason_codes": sort({entry[0] | some entry in ordered}),
	"details": [{"code": entry[0], "reason": entry[1], "params": entry[2]} | some entry in ordered],
	"obligations": obligations,
	"policy_version": policy_version,
}

# Written into data by the loader (embedded) or by `shopwarden policy push` (OPA server).
default policy_version := "unversioned"

policy_version := data.shopwarden.bundle.version
