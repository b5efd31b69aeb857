// The guest half of the Metropolis calling convention, evaluated once in every JavaScript
// context before the task script. It defines the global `metropolis` (TaskError, log, request,
// publish, env, secret, CallError, GrantError) and evaluates to `bind`, which the host calls with
// the task function and the host's functions to get the dispatcher.
//
// The dispatcher returns an array the host decodes: [kind, value, code]; kinds are mirrored
// in GuestContext.java. A Promise result is settled through the host's `done` callback.
(function () {
  'use strict';
  const EMPTY = 0, TEXT = 1, BYTES = 2, JSON_ = 3, FAILED = 4, CRASHED = 5, BAD_PAYLOAD = 6, STREAM = 7, END = 8;
  const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
  const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;
  const BODY_AUTO = 0, BODY_JSON = 1, BODY_TEXT = 2, BODY_BYTES = 3;
  // What the host's functions answer (GuestApi.java): [OK, ...], [FAILED, code, kind, message], [DENIED, message], [INVALID, message]
  const API_OK = 0, API_FAILED = 1, API_DENIED = 2;

  /** Throw to answer with an error of the task's choosing: throw new metropolis.TaskError("need a", 400). */
  class TaskError extends Error {
    constructor(message, code = 400) {
      super(String(message));
      this.name = 'TaskError';
      this.code = Math.trunc(Number(code));
    }
  }

  /** A call to another task failed: code (the HTTP status), kind (rejected, timed_out, unavailable, ...), message, subject. */
  class CallError extends Error {
    constructor(message, code, kind, subject) {
      super(String(message));
      this.name = 'CallError';
      this.code = code;
      this.kind = kind;
      this.subject = subject;
    }
  }

  /** Something the script's header does not grant; the message names the grant to add. */
  class GrantError extends Error {
    constructor(message) {
      super(String(message));
      this.name = 'GrantError';
    }
  }

  let host = null; // set by bind: the host's functions for this context

  function flat(headers) {
    if (headers === undefined || headers === null) return null;
    if (typeof headers !== 'object') throw new TypeError('headers must be an object of header name -> value');
    const list = [];
    for (const [name, value] of Object.entries(headers)) list.push(String(name), String(value));
    return list;
  }

  function outgoing(body) {
    const encoded = encode(body);
    if (encoded[0] === CRASHED) throw new TypeError(encoded[1].replace('the task returned', 'the body is'));
    return encoded;
  }

  function checked(answer, subject) {
    switch (answer[0]) {
      case API_OK: return answer;
      case API_FAILED: throw new CallError(answer[3], answer[1], answer[2], subject);
      case API_DENIED: throw new GrantError(answer[1]);
      default: throw new TypeError(answer[1]);
    }
  }

  /** await metropolis.request(subject, body, {timeout, headers}): the callee's decoded reply; rejects with a CallError. */
  async function request(subject, body, options = {}) {
    const { timeout = null, headers = null } = options;
    const answer = checked(host.request(String(subject), outgoing(body), timeout, flat(headers)), subject);
    try {
      return decode(answer[1], answer[2], answer[3]);
    } catch (e) {
      throw new CallError(`the reply is declared as JSON but is not valid JSON: ${e.message}`, 502, 'crashed', subject);
    }
  }

  /** metropolis.publish(subject, body, {headers}): sends without waiting for anyone. */
  function publish(subject, body, options = {}) {
    checked(host.publish(String(subject), outgoing(body), flat(options.headers)), subject);
  }

  /** metropolis.secret(name): a secret granted in the header's [allow] secrets. */
  function secret(name) {
    return checked(host.secret(String(name)), name)[1];
  }

  const env = {};

  /** What fetch answers: a subset of the web's Response. */
  class Response {
    constructor(status, flatHeaders, text, buffer, url) {
      const headers = new Map();
      for (let i = 0; i + 1 < flatHeaders.length; i += 2) headers.set(String(flatHeaders[i]).toLowerCase(), flatHeaders[i + 1]);
      this.status = status;
      this.ok = status >= 200 && status < 300;
      this.url = url;
      this.headers = Object.freeze({
        get: (name) => headers.get(String(name).toLowerCase()) ?? null,
        has: (name) => headers.has(String(name).toLowerCase()),
        entries: () => headers.entries(),
      });
      this._text = text;
      this._buffer = buffer;
    }
    async text() { return this._text; }
    async json() { return JSON.parse(this._text); }
    async arrayBuffer() { return new Uint8Array(this._buffer).slice().buffer; }
  }

  function requestHeaders(headers) {
    if (headers === undefined || headers === null) return null;
    if (Array.isArray(headers)) return flat(Object.fromEntries(headers));
    if (typeof headers.entries === 'function' && !(headers.constructor === Object)) return flat(Object.fromEntries(headers.entries()));
    return flat(headers);
  }

  /** await fetch(url, {method, headers, body, timeout}): to the origins granted in the header's [allow] http. */
  async function fetch(url, init = {}) {
    const { method = 'GET', headers = null, body = undefined, timeout = null } = init;
    const answer = checked(host.http(String(method), String(url), requestHeaders(headers), outgoing(body), timeout), String(url));
    return new Response(answer[1], answer[2], answer[3], answer[4], answer[5]);
  }

  /** metropolis.kv(name): a JetStream key-value bucket granted in the header's [allow] kv; every method returns a Promise. */
  function kv(bucket) {
    const name = String(bucket);
    const where = 'kv:' + name;
    checked(host.kv('check', name, null, null, null), where);
    const run = (operation, key, value, revision) => checked(host.kv(operation, name, key,
        value === undefined && operation !== 'put' && operation !== 'update' ? null : outgoing(value), revision ?? null), where);
    return Object.freeze({
      async get(key) {
        const answer = run('get', String(key));
        return answer[1] === 0 ? null : { value: decode(answer[2], answer[3], answer[4]), revision: answer[1] };
      },
      async put(key, value) { return run('put', String(key), value)[1]; },
      async update(key, value, revision) { return run('update', String(key), value, Number(revision))[1]; },
      async delete(key) { run('delete', String(key)); },
      async keys() { return Array.from(run('keys', null)[1]); },
    });
  }

  function decode(kind, text, buffer) {
    switch (kind) {
      case BODY_BYTES: return new Uint8Array(buffer);
      case BODY_TEXT: return text;
      case BODY_JSON: return JSON.parse(text);
      default:
        try {
          return JSON.parse(text);
        } catch (e) {
          if (e instanceof RangeError) throw e; // too deep to decode: a bad payload even when not declared JSON
          return text;
        }
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
    // Uncaught, the callee's failure is the caller's, with its status: a 504 stays a 504.
    if (error instanceof CallError) return [FAILED, `the call to '${error.subject}' failed: ${error.message}`, error.code];
    return [CRASHED, describe(error, scriptFile)];
  }

  function isGenerator(value) {
    const tag = Object.prototype.toString.call(value);
    return tag === '[object Generator]' || tag === '[object AsyncGenerator]';
  }

  /**
   * A generator task's chunks, taken one at a time by the host: each step answers [kind, value, code],
   * [END] when the generator is done; an async generator's step settles through `done`.
   */
  function stream(source, scriptFile) {
    const step = (advance, done) => {
      let result;
      try {
        result = advance();
      } catch (e) {
        return failure(e, scriptFile);
      }
      const settle = (r) => (r.done ? [END, null] : encode(r.value));
      if (typeof result.then === 'function') {
        Promise.resolve(result).then(r => done(settle(r)), e => done(failure(e, scriptFile)));
        return undefined;
      }
      return settle(result);
    };
    return Object.freeze({
      next: (done) => step(() => source.next(), done),
      // return() runs the generator's finally blocks; what it yields there is not sent.
      close: (done) => step(() => source.return(undefined), done),
    });
  }

  let logSink = null; // set by bind: the host's logger for this task
  const emit = (level) => (...parts) => { if (logSink) logSink(level, parts.map(String).join(' ')); };
  /** metropolis.log.info("...") and friends: lines in the host's log, tagged with the task and the message. */
  const log = Object.freeze({ debug: emit(10), info: emit(20), warn: emit(30), error: emit(40) });

  function number(header) {
    return header === undefined ? undefined : Number(header);
  }

  function bind(fn, scriptFile, sink, hostFunctions) {
    logSink = sink;
    host = hostFunctions;
    const granted = hostFunctions.env; // [name, value, ...]: only the variables the header grants
    for (let i = 0; i + 1 < granted.length; i += 2) env[granted[i]] = granted[i + 1];
    Object.freeze(env);
    const dispatch = function (bodyKind, text, buffer, subject, reply, flatHeaders, done) {
      let body;
      try {
        body = decode(bodyKind, text, buffer);
      } catch (e) {
        return [BAD_PAYLOAD, e instanceof RangeError
          ? `the payload cannot be decoded as JSON: it is nested too deeply to decode (${e.message})`
          : `the payload is declared as JSON but is not valid JSON: ${e.message}`];
      }
      let decodedHeaders; // built on first use: most tasks never read them
      const msg = {
        subject, reply,
        get headers() { return decodedHeaders ??= headers(flatHeaders); },
        get raw() { return new Uint8Array(buffer); },
        // The HTTP request behind the message when it came through the gateway, else undefined.
        get method() { return this.headers['Metropolis-Method']; },
        get path() { return this.headers['Metropolis-Path']; },
        // From a stream: deliveries so far (1 the first time) and the stream sequence; from a schedule: the tick's time.
        get deliveries() { return number(this.headers['Metropolis-Deliveries']); },
        get streamSequence() { return number(this.headers['Metropolis-Stream-Sequence']); },
        get tick() { return this.headers['Metropolis-Tick']; },
        // The caller the gateway authenticated ({method, subject, key, scopes, claims}), else undefined.
        get auth() {
          const value = this.headers['Metropolis-Auth'];
          return value === undefined ? undefined : JSON.parse(value);
        },
      };
      let result;
      try {
        result = fn(body, msg);
      } catch (e) {
        return failure(e, scriptFile);
      }
      if (isGenerator(result)) return [STREAM, stream(result, scriptFile)];
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        Promise.resolve(result).then(v => done(encode(v)), e => done(failure(e, scriptFile)));
        return undefined;
      }
      return encode(result);
    };
    // A generator function streams its reply: the host announces it so callers know to read chunks.
    dispatch.streaming = fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction;
    return dispatch;
  }

  globalThis.metropolis = Object.freeze({ TaskError, CallError, GrantError, log, request, publish, secret, env, kv });
  globalThis.fetch = fetch;
  return bind;
})();
