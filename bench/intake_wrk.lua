-- wrk script for bench/intake.py: POSTs pre-built report bodies, each with a fresh client_report_id.
local bodies = {}
for line in io.lines(os.getenv("CORRIGO_BENCH_BODIES")) do bodies[#bodies + 1] = line end
local counter = 0
local path = os.getenv("CORRIGO_BENCH_PATH") or "/api/v1/reports"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  body = body:gsub("__ID__", string.format("w%d-%010d", tid, counter), 1)
  -- Each request from another reader (bench/intake.py trusts 127.0.0.1 as a proxy), so that
  -- the per-reader limits and the folding of a reader's second report on a passage stay out of the way.
  local reader = string.format("198.18.%d.%d", math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", path,
    {["Content-Type"] = "text/plain", ["Origin"] = "https://bench.example", ["X-Forwarded-For"] = reader}, body)
end

function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"non2xx\": %d, \"errors\": %d, \"rps\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f}\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
