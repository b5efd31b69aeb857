// /// metropolis
// subject = "report.progress"
// timeout = "5s"
// description = "Reports the progress of a job step by step"
// ///

/** An async generator: each step's progress is a chunk. Send {"steps": 4}. */
export async function* handle(body) {
  const steps = Number(body?.steps ?? 5);
  if (!Number.isInteger(steps) || steps < 1 || steps > 100) {
    throw new metropolis.TaskError('steps must be a whole number from 1 to 100, e.g. {"steps": 4}', 400);
  }
  for (let step = 1; step <= steps; step++) {
    // A real task would do one piece of its work here (and may await metropolis.request, kv, fetch).
    yield { step, of: steps, percent: Math.round((step * 100) / steps) };
  }
}
