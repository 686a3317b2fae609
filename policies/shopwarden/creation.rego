# Disabled by default: campaigns and ad groups are created DISABLE (TikTok's default is ENABLE).
package shopwarden.creation

import data.shopwarden.lib

create_tools := {"create_campaign", "create_adgroup"}

status := object.get(object.get(input, "request", {}), "operation_status", null)

deny contains {
	"code": "creation.not_disabled",
	"reason": sprintf(
		"creates %s with status %v; new campaigns and ad groups must be created disabled (DISABLE) and enabled only after approval",
		[lib.object_label, status],
	),
	"params": {"object_type": lib.object_type, "object_name": lib.object_name, "status": status},
} if {
	input.tool in create_tools
	is_string(status)
	status != "DISABLE"
}

deny contains {
	"code": "creation.not_disabled",
	"reason": sprintf(
		"creates %s without a status, which TikTok treats as ENABLE; new campaigns and ad groups must be created disabled (DISABLE)",
		[lib.object_label],
	),
	"params": {"object_type": lib.object_type, "object_name": lib.object_name, "status": null},
} if {
	input.tool in create_tools
	not is_string(status)
}

verified if status == "DISABLE"
