// /// metropolis
// subject = "web.slow"
// timeout = "1s"
// concurrency = 1
// max_pending = 0
// ///
// Spins for the milliseconds it is sent: past 1 s it is interrupted (504); while one call spins,
// a second is told the task is busy (429).
export function handle(body) {
  const end = Date.now() + Number(body);
  while (Date.now() < end) { /* busy */ }
  return 'done';
}
