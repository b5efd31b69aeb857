// /// metropolis
// subject = "bench.schema.checked"
// concurrency = 4
// max_pending = 1024
// description = "Benchmark: returns the payload after the host checked it against an input schema"
//
// [input]
// type = "object"
// required = ["order", "item", "qty", "tags"]
// additionalProperties = false
// properties.order = { type = "string", pattern = "^o-[0-9]+$" }
// properties.item = { type = "string", minLength = 1, maxLength = 64 }
// properties.qty = { type = "integer", minimum = 1, maximum = 1000 }
// properties.tags = { type = "array", items = { type = "string" }, maxItems = 8 }
// ///
export function handle(body) {
  return body;
}
