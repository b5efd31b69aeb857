// /// metropolis
// subject = ["retry.echo", "retry.lost"]
// timeout = "1s"
// ///
// Gateway retry probe: echoes the body. The retry tests stop its host and put a subscriber that
// never replies on retry.lost, so the gateway's routes stay while no task answers.
export function handle(body) {
  return body;
}
