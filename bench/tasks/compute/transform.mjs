// /// metropolis
// subject = "bench.transform.js"
// timeout = "60s"
// concurrency = 1
// description = "Benchmark: Map and string work over n generated words"
// ///
// bench/node/compute.mjs runs this same file under Node; transform.py is the same in Python.
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

export function transform(n) {
  const counts = new Map();
  for (let i = 0; i < n; i++) {
    const word = WORDS[i % 8] + String(i % 97);
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const parts = [];
  for (const [key, value] of counts) {
    if (value % 2 === 0) parts.push(`${key.toUpperCase()}=${value}`);
  }
  const text = parts.sort().join(';');
  let checksum = 0;
  for (let i = 0; i < text.length; i++) checksum += text.charCodeAt(i);
  return { keys: counts.size, chars: text.length, checksum: checksum % 65521 };
}

export function handle(body) {
  return transform(Number(body));
}
