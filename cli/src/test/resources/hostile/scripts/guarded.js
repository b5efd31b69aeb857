// /// metropolis
// subject = "hostile.guarded"
// input = { type = "array", items = { type = "integer" } }
// ///
// A task behind an input schema: hostile bodies must be refused by the host before it runs.
export function handle(body) {
  return { sum: body.reduce((a, b) => a + b, 0) };
}
