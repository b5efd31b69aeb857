// /// metropolis
// subject = "hostile.syntax"
// ///
export function handle(body) {
  return body +;
}
