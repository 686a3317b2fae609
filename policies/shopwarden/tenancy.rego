# A call may only touch shops, ad accounts and objects of the merchant it runs for.
package shopwarden.tenancy

# The other merchant's id is deliberately left out of the reason.
deny contains {
	"code": "tenancy.cross_tenant",
	"reason": "the shop, ad account or object named in this call belongs to another merchant",
} if {
	owner := input.state.resource_merchant_id
	owner != input.merchant.id
}
