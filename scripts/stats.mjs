// /// metropolis
// subject = "math.stats"
// timeout = "2s"
// description = "Count, mean and median of a JSON array of numbers (an async task)"
// input = { type = "array", items = { type = "number" }, minItems = 1 }
// ///
import { isNumber } from './numbers.mjs';

async function median(sorted) {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function handle(numbers, msg) {
  if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every(isNumber)) {
    throw new metropolis.TaskError('send a non-empty JSON array of numbers, e.g. [3, 1, 2]', 422);
  }
  const sorted = [...numbers].sort((x, y) => x - y);
  const mean = numbers.reduce((sum, x) => sum + x, 0) / numbers.length;
  return { count: numbers.length, mean, median: await median(sorted) };
}
