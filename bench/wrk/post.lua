-- wrk script: POSTs BENCH_BODY as text/plain and appends the run's figures to BENCH_OUT in
-- bench's samples format (id <TAB> unit <TAB> value), with BENCH_ID as the id prefix; sends
-- BENCH_AUTHORIZATION as the Authorization header when set.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or "metropolis bench"
wrk.headers["Content-Type"] = "text/plain"
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

function done(summary, latency, requests)
  local id = os.getenv("BENCH_ID")
  local out = io.open(os.getenv("BENCH_OUT"), "a")
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  out:write(string.format("%s.rps\treq/s\t%.3f\n", id, summary.requests / (summary.duration / 1e6)))
  out:write(string.format("%s.requests\tcount\t%d\n", id, summary.requests))
  out:write(string.format("%s.p50\tus\t%.3f\n", id, latency:percentile(50)))
  out:write(string.format("%s.p99\tus\t%.3f\n", id, latency:percentile(99)))
  out:write(string.format("%s.errors\tcount\t%d\n", id, failed))
  out:write(string.format("%s.errors_status\tcount\t%d\n", id, errors.status))
  out:write(string.format("%s.errors_timeout\tcount\t%d\n", id, errors.timeout))
  out:write(string.format("%s.errors_socket\tcount\t%d\n", id, errors.connect + errors.read + errors.write))
  out:close()
end
