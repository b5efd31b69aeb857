// Runs a bench task's handle() under Node in a plain loop; the same interface as bench/local/compute.py:
//   compute.mjs value  FILE ARG
//   compute.mjs first  FILE ARG ID
//   compute.mjs steady FILE ARG ID WARMUP WINDOW REPEATS
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [mode, file, arg, id, warmup, window, repeats] = process.argv.slice(2);
const { handle } = await import(pathToFileURL(resolve(file)).href);
const n = Number(arg);
const now = () => Number(process.hrtime.bigint()) / 1e9;

if (mode === 'value') {
  console.log(JSON.stringify(handle(n)));
} else if (mode === 'first') {
  const started = now();
  handle(n);
  console.log(`${id}\tms\t${((now() - started) * 1e3).toFixed(3)}`);
} else if (mode === 'steady') {
  const until = now() + Number(warmup);
  while (now() < until) handle(n);
  const means = [];
  for (let r = 0; r < Number(repeats); r++) {
    let calls = 0;
    const started = now();
    let elapsed;
    do {
      handle(n);
      calls++;
      elapsed = now() - started;
    } while (elapsed < Number(window));
    means.push(((elapsed / calls) * 1e6).toFixed(3));
  }
  console.log(`${id}\tus\t${means.join(' ')}`);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
