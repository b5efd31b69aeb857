// The gateway's endpoints as the page calls them, with the credential the user gave (kept for this tab only):
// an API key or a JWT, sent as a bearer, which the gateway accepts for both.
const KEY = 'metropolis.console.key';

export function apiKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
}

function withKey(headers = {}) {
  const key = apiKey();
  return key ? { ...headers, Authorization: `Bearer ${key}` } : headers;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function reason(response) {
  try {
    const body = await response.json();
    return body.error || response.statusText;
  } catch {
    return response.statusText;
  }
}

export async function getJson(path) {
  const response = await fetch(path, { headers: withKey({ Accept: 'application/json' }) });
  if (!response.ok) throw new ApiError(response.status, await reason(response));
  return response.json();
}

// One request through the gateway's own routes: what came back, and how long it took. The body is
// read as it arrives; onPartial, when given, sees each part (a streaming task's chunks) with partial: true.
export async function call(method, path, body, headers, onPartial) {
  const init = { method, headers: withKey(headers) };
  if (body !== null && method !== 'GET' && method !== 'DELETE') init.body = body;
  const started = performance.now();
  const response = await fetch(path, init);
  const reply = {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers.entries()],
  };
  let text = '';
  if (response.body && onPartial) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      onPartial({ ...reply, body: text, millis: performance.now() - started, partial: true });
    }
    text += decoder.decode();
  } else {
    text = await response.text();
  }
  return { ...reply, body: text, millis: performance.now() - started, partial: false };
}

// Reads a Server-Sent Events stream with fetch (EventSource cannot send an API key) and reconnects.
export function streamEvents(path, onEvent, onState) {
  let stopped = false;
  const connect = async () => {
    while (!stopped) {
      try {
        const response = await fetch(path, { headers: withKey({ Accept: 'text/event-stream' }) });
        if (!response.ok) throw new ApiError(response.status, await reason(response));
        onState('live');
        await readEvents(response.body, onEvent);
        onState('reconnecting');
      } catch (error) {
        onState('down', error);
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  connect();
  return () => { stopped = true; };
}

async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parse(block);
      if (event) onEvent(event);
    }
  }
}

function parse(block) {
  const event = { id: null, type: 'message', data: [] };
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = Number(value);
    else if (field === 'event') event.type = value;
    else if (field === 'data') event.data.push(value);
  }
  if (event.data.length === 0) return null;
  return { id: event.id, type: event.type, data: JSON.parse(event.data.join('\n')) };
}
