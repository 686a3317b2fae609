# An agent may only call the tools its spec (agents/*.yaml) lists.
package shopwarden.allowlist

deny contains {
	"code": "allowlist.tool_not_allowed",
	"reason": sprintf("agent %v is not allowed to use the tool %v", [input.agent.id, input.tool]),
	"params": {"agent": input.agent.id, "tool": input.tool},
} if {
	not input.tool in input.agent.allowed_tools
}
