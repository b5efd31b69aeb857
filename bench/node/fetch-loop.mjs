// Node's fetch in a plain loop against the bench's Helidon echo: the baseline of a JS task's fetch.
//   node fetch-loop.mjs URL ID WARMUP WINDOW REPEATS     prints "ID.mean<TAB>us<TAB>v1 v2 ..."
const [url, id, warmup, window, repeats] = process.argv.slice(2);

async function once() {
  const response = await fetch(url, { method: 'POST', body: 'ping', headers: { 'Content-Type': 'text/plain' } });
  if ((await response.text()) !== 'ping') throw new Error('unexpected reply');
}

async function run(seconds) {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await once();
    calls++;
  }
  return ((performance.now() - started) * 1000) / calls;
}

await run(Number(warmup));
const means = [];
for (let i = 0; i < Number(repeats); i++) means.push((await run(Number(window))).toFixed(1));
console.log(`${id}.mean\tus\t${means.join(' ')}`);
