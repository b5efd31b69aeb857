// /// metropolis
// subject = "bench.echo.js"
// concurrency = 4
// max_pending = 1024
// description = "Benchmark: returns the payload"
// ///
export function handle(body) {
  return body;
}
