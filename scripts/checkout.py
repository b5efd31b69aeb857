# /// metropolis
# subject = "shop.checkout"
# description = "Prices a cart (asks cart.show), adds tax and announces the order on orders.placed"
# input = { type = "object", required = ["cart"], properties.cart = { type = "string", minLength = 1 } }
#
# [allow]
# subjects = ["cart.show", "orders.placed"]
# env = ["TAX_RATE"]
# ///
from decimal import Decimal

import metropolis

PRICES = {"tea": Decimal("3.50"), "milk": Decimal("1.20"), "scone": Decimal("2.75")}


def handle(body, msg):
    cart = metropolis.request("cart.show", {"cart": body["cart"]})  # a CallError (e.g. 404) becomes our reply
    unknown = sorted(set(cart["items"]) - set(PRICES))
    if unknown:
        raise metropolis.TaskError(f"no price for {', '.join(unknown)}", code=422)
    net = sum(PRICES[item] * qty for item, qty in cart["items"].items())
    tax = (net * Decimal(metropolis.env.get("TAX_RATE", "0.2"))).quantize(Decimal("0.01"))
    order = {"cart": body["cart"], "net": str(net), "tax": str(tax), "total": str(net + tax)}
    metropolis.publish("orders.placed", order)
    return order
