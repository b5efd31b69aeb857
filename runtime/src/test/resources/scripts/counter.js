// /// metropolis
// subject = ["counter.add", "counter.get"]
// concurrency = 1
// ///
// One context (concurrency 1), so its count shows how many messages actually ran.
let count = 0;

export function handle(body, msg) {
  if (msg.subject === 'counter.add') count += 1;
  return count;
}
