-- wrk's script for bench/processes.py: POST one body with its headers, count the answers that failed, and print
-- the figures as one JSON line. Not part of Demarche.
--   WRK_BODY      file holding the request body (the GraphQL request as JSON); none: an empty POST
--   WRK_HEADERS   file of "Name: value" lines (the token header, for one)
--   WRK_EXPECT    text every good answer holds; a good answer is also a 200 without "errors"
local function slurp(path)
  if path == nil or path == "" then return nil end
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("WRK_BODY")) or ""
wrk.headers["Content-Type"] = "application/json"
for line in (slurp(os.getenv("WRK_HEADERS")) or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
local expect = os.getenv("WRK_EXPECT")
if expect == "" then expect = nil end

failures = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) or (expect and not body:find(expect, 1, true)) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "failures": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, failed,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
