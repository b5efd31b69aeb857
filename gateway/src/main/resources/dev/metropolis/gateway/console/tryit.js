// "Try it": calls the task through the gateway's own route and shows status, headers, time and reply.
import { el, clear, text } from './dom.js';
import { call } from './api.js';

const METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE'];
const LAST = 'metropolis.console.last.';

// An example of what a JSON Schema accepts: defaults and examples where given, else an empty value of the type.
export function example(schema) {
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.default !== undefined) return schema.default;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const value = {};
      for (const [name, property] of Object.entries(schema.properties || {})) value[name] = example(property) ?? null;
      return value;
    }
    case 'array': return [];
    case 'string': return '';
    case 'integer': case 'number': return schema.minimum ?? 0;
    case 'boolean': return false;
    default: return schema.properties ? example({ ...schema, type: 'object' }) : undefined;
  }
}

function firstRoute(task) {
  const [method, path] = (task.routes[0]?.route || '* /').split(' ');
  return { method: method === '*' ? 'POST' : method, path, fixed: method !== '*' };
}

function prefill(task) {
  const route = firstRoute(task);
  const saved = localStorage.getItem(LAST + task.task);
  if (task.input) {
    return { method: route.method, path: route.path, body: JSON.stringify(example(task.input), null, 2), from: 'its input schema' };
  }
  if (saved) return { ...JSON.parse(saved), from: 'the last request sent from this page' };
  return { method: route.method, path: route.path, body: '', from: null };
}

function contentType(body) {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

function pretty(body, headers) {
  const type = headers.find(([name]) => name === 'content-type')?.[1] || '';
  if (!type.includes('json')) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function renderTryIt(container, task) {
  clear(container);
  container.append(el('h3', {}, 'Try it'));
  if (task.routes.length === 0) {
    container.append(el('p', { class: 'hint' }, `Runs from its trigger (${task.trigger}); it has no route to call.`));
    return;
  }
  const start = prefill(task);
  const method = el('select', { id: 'try-method' }, METHODS.map((m) => el('option', { value: m, selected: m === start.method }, m)));
  const path = el('input', { id: 'try-path', value: start.path, spellcheck: 'false', autocomplete: 'off' });
  const body = el('textarea', { id: 'try-body', rows: 6, spellcheck: 'false' });
  body.value = start.body;
  const send = el('button', { id: 'try-send', type: 'submit' }, 'Send');
  const result = el('div', { id: 'try-result' });
  const form = el('form', { class: 'try' },
    el('div', { class: 'row' }, method, path, send),
    el('label', { for: 'try-body' }, 'Body ', el('small', { class: 'hint' },
      start.from ? `(from ${start.from})` : '(JSON is sent as application/json, anything else as text; GET and DELETE send none)')),
    body);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    send.disabled = true;
    try {
      const sent = { method: method.value, path: path.value, body: body.value };
      localStorage.setItem(LAST + task.task, JSON.stringify(sent));
      // A streaming task's chunks show as they come (NDJSON lines), then the whole reply.
      const reply = await call(sent.method, sent.path, sent.body, { 'Content-Type': contentType(sent.body) },
        (partial) => showReply(result, partial));
      showReply(result, reply);
    } catch (error) {
      clear(result).append(el('p', { class: 'problem' }, `The request failed: ${error.message}`));
    } finally {
      send.disabled = false;
    }
  });
  container.append(form, result);
}

function showReply(result, reply) {
  clear(result);
  const status = el('span', { id: 'try-status', class: `status ${reply.status < 400 ? 'ok' : 'bad'}` });
  text(status, `${reply.status} ${reply.statusText}`);
  const time = reply.partial ? `${reply.millis.toFixed(1)} ms so far, still receiving` : `${reply.millis.toFixed(1)} ms`;
  result.append(el('p', {}, status, ' ', el('span', { id: 'try-time' }, time)),
    el('table', { id: 'try-headers' }, el('tbody', {},
      reply.headers.map(([name, value]) => el('tr', {}, el('td', { class: 'mono' }, name), el('td', { class: 'mono' }, value))))),
    el('pre', { id: 'try-reply' }, reply.partial ? reply.body : pretty(reply.body, reply.headers)));
}
