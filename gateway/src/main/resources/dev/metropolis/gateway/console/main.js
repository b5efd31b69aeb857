// Wires the page: polls the task list and live stats, streams the events, keeps the chosen task's panel.
import { getJson, streamEvents, setApiKey, apiKey, ApiError } from './api.js';
import { byTask, renderTasks, renderStats } from './tasks.js';
import { renderTryIt } from './tryit.js';
import { showEvent } from './events.js';
import { el, text } from './dom.js';

const REFRESH_MS = 3000;
const state = { tasks: [], stats: {}, selected: null, triedFor: null };
const $ = (id) => document.getElementById(id);

function problem(message) {
  const node = $('problem');
  node.hidden = !message;
  text(node, message);
}

async function refresh() {
  try {
    const [list, live] = await Promise.all([getJson('/tasks'), getJson('/console/api/stats')]);
    state.tasks = byTask(list.tasks);
    state.stats = live.tasks;
    problem(null);
    text($('tasks-updated'), `updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    problem(error instanceof ApiError && error.status === 401
      ? 'This gateway needs a credential: enter an API key or a token above.'
      : `Cannot read the tasks: ${error.message}`);
  }
  render();
}

let drawn = null;

function render() {
  // Redrawn only when something changed, so a row someone is pointing at stays put.
  const now = JSON.stringify([state.tasks, state.stats, state.selected]);
  if (now === drawn) return;
  drawn = now;
  renderTasks(document.querySelector('#tasks tbody'), state.tasks, state.stats, state.selected, select);
  const task = state.tasks.find((t) => t.task === state.selected);
  const details = $('details');
  if (!task) return;
  let stats = $('task-stats');
  let tryIt = $('try-it');
  if (!stats || state.triedFor !== task.task) {
    stats = el('div', { id: 'task-stats' });
    tryIt = el('div', { id: 'try-it' });
    details.replaceChildren(stats, tryIt);
    renderTryIt(tryIt, task); // built once per choice: a refresh must not wipe what the user typed
    state.triedFor = task.task;
  }
  renderStats(stats, task, state.stats[task.task]);
}

function select(name) {
  state.selected = name;
  render();
}

function connectionState(stateName, error) {
  const node = $('connection');
  node.className = `state ${stateName}`;
  text(node, stateName === 'live' ? 'events live' : stateName === 'down' ? `events down: ${error?.message || ''}` : 'reconnecting…');
}

let stopEvents = null;
let soon = null;

// The gateway learns routes from discovery a moment after a host's event: look again once it has.
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, 2200);
}

function listen() {
  if (stopEvents) stopEvents();
  const list = $('events');
  const opened = Date.now();
  stopEvents = streamEvents('/console/api/events', (event) => {
    showEvent(list, event, Date.parse(event.data.time) < opened);
    refreshSoon(); // a served or stopped script changes the list
  }, connectionState);
}

$('api-key').value = apiKey();
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setApiKey($('api-key').value.trim());
  refresh();
  listen();
});

refresh();
listen();
setInterval(refresh, REFRESH_MS);
