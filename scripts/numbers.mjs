// A module shared by add.js and stats.mjs. It has no `/// metropolis` header, so it is not a task:
// the host does not serve it, and editing it reloads both tasks that import it.
export function isNumber(x) {
  return typeof x === 'number' && Number.isFinite(x);
}
