// The hosts' events as they arrive: served, reloaded, load errors, stopped.
import { el } from './dom.js';

const SHOWN = 200;
const BAD = new Set(['load_error', 'reload_failed']);
let lastId = 0;

// Ids number this gateway's stream: a reconnect resends the recent ones, which are shown once.
export function showEvent(list, event, earlier) {
  if (event.id !== null && event.id <= lastId) return;
  if (event.id !== null) lastId = event.id;
  const data = event.data;
  const time = data.time ? new Date(data.time).toLocaleTimeString() : '';
  list.prepend(el('li', { 'data-type': data.type, class: earlier ? 'earlier' : null },
    el('span', { class: 'mono' }, time),
    el('span', {}, el('span', { class: `badge ${BAD.has(data.type) ? 'bad' : 'ok'}` }, data.type.replace('_', ' '))),
    el('span', { class: 'mono', title: data.host }, data.file),
    el('span', {}, data.message, el('small', { class: 'description' }, data.host))));
  while (list.children.length > SHOWN) list.lastElementChild.remove();
}
