// /// metropolis
// subject = ["obs.ok", "obs.refuse", "obs.crash"]
// ///
// Observability probe: known outcomes, and a log line through metropolis.log.
export function handle(body, msg) {
  metropolis.log.info(`obs handled ${msg.subject}`);
  if (msg.subject === 'obs.refuse') throw new metropolis.TaskError('refused on purpose', 400);
  if (msg.subject === 'obs.crash') throw new Error('crashed on purpose');
  console.log('printed by obs');
  return 'ok';
}
