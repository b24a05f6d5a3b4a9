-- wrk script: spread requests over several paths (PATHS, space separated) and print p95.
-- The token, when given, goes out as `Authorization: Bearer ...` (the match API needs it).
local paths = {}
for path in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
  table.insert(paths, path)
end
local token = os.getenv("TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local headers = {}
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  io.write(string.format(
    "RESULT requests=%d errors=%d rps=%.1f p50_ms=%.1f p95_ms=%.1f\n",
    summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000))
end
