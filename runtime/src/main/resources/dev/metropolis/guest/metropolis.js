// The guest half of the Metropolis calling convention, evaluated once in every JavaScript
// context before the task script. It defines the global `metropolis` (TaskError) and
// evaluates to `bind`, which the host calls with the task function to get the dispatcher.
//
// The dispatcher returns an array the host decodes: [kind, value, code]; kinds are mirrored
// in GuestContext.java. A Promise result is settled through the host's `done` callback.
(function () {
  'use strict';
  const EMPTY = 0, TEXT = 1, BYTES = 2, JSON_ = 3, FAILED = 4, CRASHED = 5, BAD_PAYLOAD = 6;
  const BODY_AUTO = 0, BODY_JSON = 1, BODY_TEXT = 2, BODY_BYTES = 3;

  /** Throw to answer with an error of the task's choosing: throw new metropolis.TaskError("need a", 400). */
  class TaskError extends Error {
    constructor(message, code = 400) {
      super(String(message));
      this.name = 'TaskError';
      this.code = Math.trunc(Number(code));
    }
  }

  function decode(kind, text, buffer) {
    switch (kind) {
      case BODY_BYTES: return new Uint8Array(buffer);
      case BODY_TEXT: return text;
      case BODY_JSON: return JSON.parse(text);
      default:
        try { return JSON.parse(text); } catch (e) { return text; }
    }
  }

  function headers(flat) {
    const result = {};
    if (flat != null) {
      for (let i = 0; i + 1 < flat.length; i += 2) result[flat[i]] = flat[i + 1];
    }
    return result;
  }

  function encode(result) {
    if (result === undefined || result === null) return [EMPTY, null];
    if (typeof result === 'string') return [TEXT, result];
    if (result instanceof ArrayBuffer) return [BYTES, result];
    if (ArrayBuffer.isView(result)) {
      return [BYTES, result.buffer.slice(result.byteOffset, result.byteOffset + result.byteLength)];
    }
    const type = typeof result;
    if (type === 'number' || type === 'boolean' || type === 'object') {
      if (type === 'number' && !Number.isFinite(result)) {
        return [CRASHED, `the task returned ${result}, which is not valid JSON`];
      }
      return [JSON_, JSON.stringify(result)];
    }
    return [CRASHED, `the task returned a ${type}, which cannot be sent; ` +
        'return a string, bytes (ArrayBuffer or typed array), an object, an array, a number, a boolean or undefined'];
  }

  function describe(error, scriptFile) {
    if (!(error instanceof Error)) return `thrown value: ${String(error)}`;
    // Name the deepest line of the task script itself: "at handle (/path/add.js:3:11)".
    let where = null;
    for (const line of String(error.stack || '').split('\n')) {
      const at = line.indexOf(scriptFile + ':');
      if (at >= 0) {
        where = line.substring(at + scriptFile.length + 1).split(':')[0];
        break;
      }
    }
    const text = `${error.name}: ${error.message}`;
    return where !== null ? `${text} (line ${where})` : text;
  }

  function failure(error, scriptFile) {
    if (error instanceof TaskError) return [FAILED, error.message, error.code];
    return [CRASHED, describe(error, scriptFile)];
  }

  let logSink = null; // set by bind: the host's logger for this task
  const emit = (level) => (...parts) => { if (logSink) logSink(level, parts.map(String).join(' ')); };
  /** metropolis.log.info("...") and friends: lines in the host's log, tagged with the task and the message. */
  const log = Object.freeze({ debug: emit(10), info: emit(20), warn: emit(30), error: emit(40) });

  function bind(fn, scriptFile, sink) {
    logSink = sink;
    return function dispatch(bodyKind, text, buffer, subject, reply, flatHeaders, done) {
      let body;
      try {
        body = decode(bodyKind, text, buffer);
      } catch (e) {
        return [BAD_PAYLOAD, `the payload is declared as JSON but is not valid JSON: ${e.message}`];
      }
      let decodedHeaders; // built on first use: most tasks never read them
      const msg = {
        subject, reply,
        get headers() { return decodedHeaders ??= headers(flatHeaders); },
        get raw() { return new Uint8Array(buffer); },
        // The HTTP request behind the message when it came through the gateway, else undefined.
        get method() { return this.headers['Metropolis-Method']; },
        get path() { return this.headers['Metropolis-Path']; },
      };
      let result;
      try {
        result = fn(body, msg);
      } catch (e) {
        return failure(e, scriptFile);
      }
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        Promise.resolve(result).then(v => done(encode(v)), e => done(failure(e, scriptFile)));
        return undefined;
      }
      return encode(result);
    };
  }

  globalThis.metropolis = Object.freeze({ TaskError, log });
  return bind;
})();
