-- Shared by the wrk scripts: a unique id per request, and a JSON summary line when done.
local M = {}

function M.init_counter()
  M.n = 0
end

function M.next_id(prefix)
  M.n = M.n + 1
  return prefix .. "-" .. M.thread_id .. "-" .. M.n
end

function M.done(summary, latency, requests)
  local completed = summary.requests
  local non2xx = summary.errors.status
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"non2xx":%d,"socket_errors":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    completed, non2xx, socket_errors, summary.duration,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end

return M
