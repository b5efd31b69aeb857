// /// metropolis
// subject = "cjs.greet"
// ///
// A CommonJS-style script: the task is a member of module.exports.
globalThis.cjsLeak = 'set by cjs.js';
module.exports = {
  handle(body) {
    return `hello, ${body}`;
  },
};
