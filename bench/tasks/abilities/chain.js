// /// metropolis
// subject = "bench.chain.js"
// concurrency = 8
// [allow]
// subjects = ["bench.local.echo"]
// ///
// One task calling another: the added cost of metropolis.request against calling the echo directly.
export async function handle(body) {
  return await metropolis.request('bench.local.echo', body);
}
