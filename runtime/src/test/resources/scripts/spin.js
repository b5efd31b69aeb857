// /// metropolis
// subject = "spin.forever"
// timeout = "1s"
// ///
// Loops forever: the host must interrupt it at its 1 s timeout and keep the context usable.
export function handle(body, msg) {
  if (body === 'return') return 'returned';
  for (;;) { /* runaway */ }
}
