// /// metropolis
// subject = "math.add"
// description = "Adds two numbers: {\"a\": 1, \"b\": 2} -> 3"
// output = { type = "number" }
//
// [input]                     # checked by the host before handle runs: a violation is a 422
// type = "object"
// required = ["a", "b"]
// properties.a = { type = "number" }
// properties.b = { type = "number" }
// ///
import { isNumber } from './numbers.mjs';

export function handle(body, msg) {
  if (typeof body !== 'object' || body === null || !isNumber(body.a) || !isNumber(body.b)) {
    throw new metropolis.TaskError('send a JSON object with numbers a and b, e.g. {"a": 1, "b": 2}', 400);
  }
  return body.a + body.b;
}
