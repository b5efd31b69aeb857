// /// metropolis
// subject = "hostile.js.*"
// timeout = "15s"
// concurrency = 2
// ///
// Hostile JavaScript: see hostile.py; the endless loop is in spin.js.
export async function handle(body, msg) {
  const action = msg.subject.split('.').pop();
  switch (action) {
    case 'java': return Java.type('java.lang.System').getenv();
    case 'load': return load('/etc/passwd');
    case 'polyglot': return Polyglot.eval('python', '1 + 1');
    case 'require': return require('fs').readFileSync('/etc/passwd');
    case 'never': return await new Promise(() => {});
    case 'array': { const a = []; for (;;) a.push(new Array(1 << 20).fill(1)); }
    case 'huge': return 'x'.repeat(20 << 20);
    case 'symbol': return Symbol('x');
    case 'throw': throw 42;
    default: return 'unknown ' + action;
  }
}
