// /// metropolis
// subject = "bad.function"
// function = "run"
// ///
export function handle(body) {
  return body;
}
