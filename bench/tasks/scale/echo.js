// /// metropolis
// subject = "bench.scale.echo"
// concurrency = 4
// max_pending = 1024
// description = "Scale benchmark: returns the payload (CPU-light)"
// ///
export function handle(body) {
  return body;
}
