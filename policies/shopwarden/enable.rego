# Turning ads on spends money: a human approves every enable, at every autonomy level.
package shopwarden.enable

import data.shopwarden.lib

approval contains {
	"code": "enable.needs_approval",
	"reason": sprintf("enabling %s always needs a reviewer's approval", [label]),
	"params": {"object": label, "object_id": object.get(input.args, "object_id", null)},
} if {
	input.tool == "enable_ads"
	label := object_label
}

# Without a readable object type the reason still names the object.
object_label := label if {
	label := lib.object_label
} else := sprintf("object %v", [input.args.object_id])
