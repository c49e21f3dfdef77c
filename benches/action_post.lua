-- wrk script: POST one action per request, each with a fresh email so every request
-- creates a user, an action and a subscription (the full write path).
local thread_ids = 0

function setup(thread)
  thread:set("tid", thread_ids)
  thread_ids = thread_ids + 1
end

local counter = 0

function request()
  counter = counter + 1
  local body = string.format('{"page":"stay-informed","email":"bench-%d-%d@example.org","first_name":"Bench"}', tid, counter)
  return wrk.format("POST", "/rest/v1/action/", { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
