// /// metropolis
// subject = "bench.local.echo"
// concurrency = 8
// ///
export function handle(body, msg) {
  return msg.raw.buffer;
}
