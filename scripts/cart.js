// /// metropolis
// subject = ["cart.add", "cart.show"]
// description = "A shopping cart kept in the JetStream key-value bucket 'carts'"
// input = "schemas/cart.json"    # a schema file in the scripts folder (both subjects take a cart)
//
// [allow]
// kv = ["carts"]
// ///
const carts = () => metropolis.kv('carts');

// Adds {"cart": "c1", "item": "tea", "qty": 2}; safe under concurrent adds: update() fails when
// someone else changed the cart since we read it, and we read it again.
async function add({ cart, item, qty = 1 }) {
  if (!cart || !item || !Number.isInteger(qty) || qty < 1) {
    throw new metropolis.TaskError('send {"cart": "c1", "item": "tea", "qty": 2}', 400);
  }
  for (;;) {
    const entry = await carts().get(cart);
    const items = entry ? entry.value : {};
    items[item] = (items[item] ?? 0) + qty;
    try {
      await carts().update(cart, items, entry ? entry.revision : 0);
      return { cart, items };
    } catch (e) {
      if (!(e instanceof metropolis.CallError) || e.code !== 409) throw e;
    }
  }
}

export async function handle(body, msg) {
  if (msg.subject === 'cart.add') return add(body);
  const entry = await carts().get(body.cart);
  if (!entry) throw new metropolis.TaskError(`no cart '${body.cart}'`, 404);
  return { cart: body.cart, items: entry.value };
}
