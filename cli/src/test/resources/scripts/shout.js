// /// metropolis
// subject = "custom.shout"
// http = "POST /shout"
// ///
export function handle(body) {
  return String(body).toUpperCase() + '!';
}
