// /// metropolis
// subject = "bad.syntax"
// ///
export function handle(body, msg) {
  return body +;
}
