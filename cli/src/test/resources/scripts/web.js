// /// metropolis
// subject = ["web.echo", "web.bytes", "web.reject", "web.crash", "web.items.*", "web.tree.>"]
// timeout = "3s"
// ///
// Gateway test probe: shows the task what the HTTP request turned into.
export function handle(body, msg) {
  switch (msg.subject) {
    case 'web.echo':
      return {
        method: msg.method, path: msg.path, body, type: body instanceof Uint8Array ? 'bytes' : typeof body,
        contentType: msg.headers['Content-Type'] ?? null, requestId: msg.headers['X-Request-Id'] ?? null,
        traceparent: msg.headers['traceparent'] ?? null, timeout: msg.headers['Metropolis-Timeout'] ?? null,
      };
    case 'web.bytes': return msg.raw;
    case 'web.reject': throw new metropolis.TaskError(`rejected with ${body.code}`, body.code);
    case 'web.crash': throw new Error('boom');
    default: return { subject: msg.subject };
  }
}
