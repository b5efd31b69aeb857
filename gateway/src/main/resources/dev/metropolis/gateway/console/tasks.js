// The task list (one row per task, from GET /tasks) with each task's live numbers (from /console/api/stats).
import { el, clear } from './dom.js';

// GET /tasks lists one entry per route; a task with several subjects or routes is one row here.
export function byTask(entries) {
  const tasks = new Map();
  for (const entry of entries) {
    let task = tasks.get(entry.task);
    if (!task) {
      task = { ...entry, subjects: [], routes: [] };
      tasks.set(entry.task, task);
    }
    for (const subject of entry.subjects || (entry.subject ? [entry.subject] : [])) {
      if (!task.subjects.includes(subject)) task.subjects.push(subject);
    }
    if (entry.route) task.routes.push({ route: entry.route, auth: entry.auth, async: entry.async });
  }
  return [...tasks.values()].sort((a, b) => a.task.localeCompare(b.task));
}

function grants(allow) {
  if (!allow) return '';
  return Object.entries(allow).map(([kind, values]) => `${kind}: ${values.join(', ')}`).join('; ');
}

function number(value, unit = '') {
  if (value === null || value === undefined) return '–';
  const digits = Number.isInteger(value) ? 0 : Math.abs(value) < 10 ? 2 : 1;
  return `${value.toFixed(digits)}${unit}`;
}

function percent(rate) {
  return rate === undefined ? '–' : `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1)} %`;
}

export function renderTasks(tbody, tasks, stats, selected, onSelect) {
  clear(tbody);
  if (tasks.length === 0) {
    tbody.append(el('tr', {}, el('td', { class: 'hint' }, 'No task is announced on NATS yet.')));
    return;
  }
  for (const task of tasks) {
    const live = stats[task.task] || {};
    const row = el('tr', { 'data-task': task.task, class: task.task === selected ? 'selected' : null },
      el('td', { class: 'task' }, el('strong', {}, task.task),
        task.description ? el('span', { class: 'description' }, task.description) : null),
      el('td', {}, task.language),
      el('td', {}, task.version),
      el('td', { class: 'mono' }, task.subjects.join(', ')),
      el('td', { class: 'mono' }, task.routes.map((r) => r.route).join(', ') || '–'),
      el('td', {}, task.trigger),
      el('td', { class: 'hosts', title: (live.hosts || []).join(', ') }, live.hosts ? live.hosts.join(', ') : `${task.instances} host(s)`),
      el('td', { class: 'mono' }, grants(task.allow)),
      el('td', { class: 'number' }, number(live.requests_per_second)),
      el('td', { class: 'number' }, percent(live.error_rate)),
      el('td', { class: 'number' }, number(live.p50_ms, ' ms')),
      el('td', { class: 'number' }, number(live.p99_ms, ' ms')));
    row.addEventListener('click', () => onSelect(task.task));
    tbody.append(row);
  }
}

export function renderStats(container, task, live) {
  clear(container);
  container.append(el('h2', {}, task.task, ' ', el('small', {}, `${task.language} · version ${task.version}`)));
  if (task.description) container.append(el('p', { class: 'description' }, task.description));
  const window = live && live.window_seconds ? `last ${live.window_seconds} s` : 'no answers yet';
  container.append(el('p', {}, `${number(live?.requests)} request(s), ${number(live?.errors)} error(s), ${window}; `,
    `hosts: ${live?.hosts ? live.hosts.join(', ') : task.instances}`));
  const errors = live?.last_errors || [];
  container.append(el('h3', {}, 'Last errors'));
  if (errors.length === 0) {
    container.append(el('p', { class: 'hint' }, 'None recently.'));
    return;
  }
  container.append(el('table', { id: 'last-errors' },
    el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Request id'), el('th', {}, 'Error'))),
    el('tbody', {}, errors.map((error) => el('tr', {},
      el('td', { class: 'mono' }, error.time), el('td', { class: 'mono' }, error.request_id || '–'),
      el('td', {}, error.error))))));
}
