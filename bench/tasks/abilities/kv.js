// /// metropolis
// subject = "bench.kv.js"
// concurrency = 1
// [allow]
// kv = ["bench"]
// ///
// A get and a put per message, as a bare jnats KV client does in bench's kv-loop.
export async function handle(body) {
  const bucket = metropolis.kv('bench');
  const entry = await bucket.get('counter');
  await bucket.put('counter', (entry ? entry.value : 0) + 1);
  return 'ok';
}
