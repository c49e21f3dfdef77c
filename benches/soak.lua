-- wrk script for scripts/soak.sh: a mixed load of page GETs and action POSTs (REST JSON and
-- the HTML form), about three reads to one write, each write with a fresh email so it
-- creates a user, an action and a subscription. Prints one RESULT line with the counts by
-- status class, so the soak can fail on any answer that is not 2xx or 3xx.
local thread_ids = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_ids)
  thread_ids = thread_ids + 1
  table.insert(threads, thread)
end

local pages = { "/", "/sign/save-the-bees/", "/cms/petition/save-the-bees/", "/signup/stay-informed/" }
local counter = 0
-- Globals, not locals: `done` reads them from each thread with `thread:get`.
ok, redirects, client_errors, server_errors = 0, 0, 0, 0

function request()
  counter = counter + 1
  local slot = counter % 8
  if slot == 0 then
    local body = string.format('{"page":"stay-informed","email":"soak-%d-%d@example.org","first_name":"Soak"}', tid, counter)
    return wrk.format("POST", "/rest/v1/action/", { ["Content-Type"] = "application/json" }, body)
  elseif slot == 4 then
    local body = string.format("page=stay-informed&email=soak-form-%d-%d%%40example.org&first_name=Soak", tid, counter)
    return wrk.format("POST", "/act/", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
  return wrk.format("GET", pages[(counter % #pages) + 1])
end

function response(status, headers, body)
  if status < 300 then ok = ok + 1
  elseif status < 400 then redirects = redirects + 1
  elseif status < 500 then client_errors = client_errors + 1
  else server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local c2, c3, c4, c5 = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c2 = c2 + thread:get("ok")
    c3 = c3 + thread:get("redirects")
    c4 = c4 + thread:get("client_errors")
    c5 = c5 + thread:get("server_errors")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f s2xx=%d s3xx=%d s4xx=%d s5xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    c2, c3, c4, c5, socket))
end
