// /// metropolis
// subject = "js.>"
// timeout = "10s"
// ///
// Test probe: a classic script (global function) whose behaviour is chosen by the subject.
globalThis.leak = 'set by probe.js';
const TOKEN = Math.random().toString(36).slice(2);

const RESULTS = {
  undefined: () => undefined,
  null: () => null,
  str: () => 'héllo',
  bytes: () => new Uint8Array([0, 255, 16]).buffer,
  typed: () => new Uint8Array([7, 8, 9, 10]).subarray(1, 3),
  list: () => [1, 'a', null, true],
  float: () => 1.5,
  bool: () => false,
  symbol: () => Symbol('s'),
  nan: () => NaN,
};

function typeName(body) {
  if (body instanceof Uint8Array) return 'bytes';
  if (Array.isArray(body)) return 'list';
  if (body === null) return 'null';
  return typeof body;
}

function handle(body, msg) {
  const action = msg.subject.slice('js.'.length);
  if (action.startsWith('return.')) return RESULTS[action.slice('return.'.length)]();
  switch (action) {
    case 'echo': return { type: typeName(body), body: body instanceof Uint8Array ? Array.from(body) : body };
    case 'raw': return msg.raw;
    case 'meta': return { subject: msg.subject, headers: msg.headers, has_reply: msg.reply != null };
    case 'throw': throw new RangeError('out of range');
    case 'reject': throw new metropolis.TaskError('conflicting order', 409);
    case 'loop': for (;;) { /* runaway */ }
    case 'async': return Promise.resolve(41).then(x => x + 1);
    case 'async.reject': return Promise.reject(new metropolis.TaskError('async refusal', 418));
    case 'never': return new Promise(() => {});
    case 'java': return typeof Java;
    case 'leak': return typeof globalThis.cjsLeak;
    case 'token': return TOKEN;
    default: throw new metropolis.TaskError(`unknown probe action ${action}`, 400);
  }
}
