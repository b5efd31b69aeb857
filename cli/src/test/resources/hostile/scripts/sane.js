// /// metropolis
// subject = "hostile.sane"
// ///
// The well-behaved task: after every hostile case it must still answer.
export function handle(body) {
  return { ok: true, body };
}
