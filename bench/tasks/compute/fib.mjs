// /// metropolis
// subject = "bench.fib.js"
// timeout = "60s"
// concurrency = 1
// description = "Benchmark: naive recursive Fibonacci of the number sent"
// ///
// bench/node/compute.mjs runs this same file under Node.
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function handle(body) {
  return fib(Number(body));
}
