// /// metropolis
// stream = "BENCH_STREAM"
// subject = "bench.stream.echo"
// durable = "bench_echo"
// concurrency = 16
// ///
// The stream-triggered echo: returns at once, so the row measures pulling, running and acking.
export function handle(body, msg) {
  return body;
}
