// /// metropolis
// subject = "hostile.spin.js"
// timeout = "1s"
// ///
export function handle() {
  for (;;) {}
}
