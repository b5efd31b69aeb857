// /// metropolis
// subject = "hostile.broken.schema"
// input = "../../../etc/passwd.json"
// ///
export function handle(body) {
  return body;
}
