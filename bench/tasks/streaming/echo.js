// /// metropolis
// subject = "bench.streaming.echo"
// concurrency = 4
// stream_timeout = "10m"
// ///
// The streaming echo: yields the chunk it is sent n times, so the row measures the streaming path.
export function* handle(body) {
  for (let i = 0; i < body.n; i++) {
    yield body.chunk;
  }
}
