// /// metropolis
// subject = "bench.schema.plain"
// concurrency = 4
// max_pending = 1024
// description = "Benchmark: returns the payload, no input schema (the baseline of checked.js)"
// ///
export function handle(body) {
  return body;
}
