package shopwarden.allowlist

test_listed_tool_is_not_denied if {
	count(deny) == 0 with input.tool as "update_budget" with input.agent as {"id": "growth", "allowed_tools": ["update_budget"]}
}

test_unlisted_tool_is_denied if {
	deny == {{
		"code": "allowlist.tool_not_allowed",
		"reason": "agent creative is not allowed to use the tool update_budget",
		"params": {"agent": "creative", "tool": "update_budget"},
	}} with input.tool as "update_budget" with input.agent as {"id": "creative", "allowed_tools": ["read_trends"]}
}

test_empty_allowlist_denies_reads_too if {
	count(deny) == 1 with input.tool as "list_campaigns" with input.agent as {"id": "growth", "allowed_tools": []}
}
