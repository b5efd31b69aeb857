// A script without a metropolis header is not served.
export function handle(body) {
  return body;
}
