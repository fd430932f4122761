-- wrk script for bench/receive_throughput.py --client wrk: every request posts a unique ~10 KB
-- interchange; done() prints the status counts so the bench can compare them with the database.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  key = args[1]
  counter = 0
  statuses = {}
  math.randomseed(os.time() * 1000 + tid)
  prefix = tostring(tid) .. "x" .. tostring(math.random(1, 999999))
  filler = string.rep("FTX+AAI+++" .. string.rep("X", 60) .. "'", 140)
end

function request()
  counter = counter + 1
  local ref = prefix .. "n" .. counter
  local body = "UNA:+.? 'UNB+UNOC:3+5790000000005:14+HUB:ZZ+240101:1200+" .. ref ..
    "'UNH+1+ORDERS:D:96A:UN'BGM+220+PO" .. ref .. "+9'" .. filler .. "UNT+3+1'UNZ+1+" .. ref .. "'"
  return wrk.format("POST", "/api/v1/exchanges",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/edifact"}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  for status, n in pairs(totals) do
    io.write(string.format("STATUS %d %d\n", status, n))
  end
  io.write(string.format("LATENCY p50=%.1fms p99=%.1fms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end
