# Helpers shared by the shopwarden policies: limits, money and the words reasons use.
package shopwarden.lib

mutating_tools := {
	"update_sku_inventory",
	"create_campaign",
	"create_adgroup",
	"update_budget",
	"pause_ads",
	"enable_ads",
	"launch_gmv_max_campaign",
	"update_roi_target",
}

# A tool on the mutating list is a mutation even if the caller labelled it a read.
is_mutation if input.action == "mutate"

is_mutation if input.tool in mutating_tools

# The merchant's own limit when the gate sent a number for it, else the default in data.json.
limit(name) := value if {
	value := input.merchant.limits[name]
	is_number(value)
} else := data.shopwarden.limits[name]

# Money is compared in whole cents so 0.1 + 0.2 style float noise never decides anything.
cents(amount) := round(amount * 100)

# Whole cents split with floor and % into digits that only %d prints, so OPA and rego-cpp write the
# same text ("%.2f" prints %!f(int64=100) on OPA; rego-cpp 1.5.2 mangles format_int, concat and "00").
money(amount_cents) := sprintf("%d.%d%d", [floor(amount_cents / 100), floor((amount_cents % 100) / 10), amount_cents % 10]) if {
	amount_cents >= 0
}

money(amount_cents) := sprintf("-%d.%d%d", [floor(magnitude / 100), floor((magnitude % 100) / 10), magnitude % 10]) if {
	amount_cents < 0
	magnitude := 0 - amount_cents
}

percent(value) := sprintf("%v%%", [value])

object_words := {"campaign": "campaign", "adgroup": "ad group", "gmv_max_campaign": "GMV Max campaign"}

object_word(object_type) := object_words[object_type]

a_object_words := {"campaign": "a campaign", "adgroup": "an ad group", "gmv_max_campaign": "a GMV Max campaign"}

# "campaign Summer Sale" (or the platform id when the gate has no name for it).
object_label := sprintf("%s %s", [object_word(object_type), object_name])

object_type := input.args.object_type if input.tool in {"update_budget", "pause_ads", "enable_ads"}

object_type := "campaign" if input.tool == "create_campaign"

object_type := "adgroup" if input.tool == "create_adgroup"

object_type := "gmv_max_campaign" if input.tool in {"launch_gmv_max_campaign", "update_roi_target"}

object_name := name if {
	name := input.state.object_name
	is_string(name)
	name != ""
} else := input.args.campaign_name if {
	input.tool == "create_campaign"
} else := input.args.adgroup_name if {
	input.tool == "create_adgroup"
} else := input.args.campaign_name if {
	input.tool == "launch_gmv_max_campaign"
} else := input.args.campaign_id if {
	input.tool == "update_roi_target"
} else := input.args.object_id

action_phrases := {
	"update_sku_inventory": "this inventory update",
	"create_campaign": "creating this campaign",
	"create_adgroup": "creating this ad group",
	"update_budget": "this budget change",
	"pause_ads": "this pause",
	"enable_ads": "this enable",
	"launch_gmv_max_campaign": "launching this GMV Max campaign",
	"update_roi_target": "this ROI target change",
}

action_phrase := object.get(action_phrases, input.tool, sprintf("the %v call", [input.tool]))
