// /// metropolis
// subject = "traced.echo"
// ///
// Tracing test probe: returns the trace context the task sees; crashes when asked to.
export function handle(body, msg) {
  if (body === 'crash') throw new Error('crashed on purpose');
  return { traceparent: msg.headers['traceparent'] ?? null };
}
