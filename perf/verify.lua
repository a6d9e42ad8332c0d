-- wrk script: POST /api/v1/verify with a ~3 KB signals window and a fresh
-- userId per request (so the per-user flood limit never triggers).
local key = os.getenv("HUMA_KEY")
local thread_id = 0
local counter = 0

local function window()
  local m, k = {}, {}
  local x, y, t = 200, 300, 0
  for i = 1, 150 do
    local phase = (i % 40) / 40
    local speed = 2 + 14 * math.sin(math.pi * phase)
    local angle = 0.4 + 0.6 * math.sin(i / 30)
    x = x + speed * math.cos(angle) + math.random() * 2 - 1
    y = y + speed * math.sin(angle) * 0.5 + math.random() * 2 - 1
    t = t + 16 + math.floor(math.random() * 6)
    m[#m + 1] = string.format("%d,%d,%d", t, math.floor(x), math.floor(y))
  end
  local kt = t + 400
  for i = 1, 20 do
    kt = kt + 90 + math.floor(math.random() * 160)
    k[#k + 1] = string.format("%d,%d,0", kt, 60 + math.floor(math.random() * 60))
  end
  return string.format(
    '{"v":1,"dur":%d,"m":[%s],"c":[%d,%d,%d,96,1],"k":[%s],"s":[],"t":[],"f":[],' ..
    '"n":{"m":150,"mc":100,"c":1,"k":20,"s":0,"t":0,"u":0},' ..
    '"env":{"host":"shop.example","webdriver":false,"cdp":false,"headless_ua":false,"chrome_obj":true,' ..
    '"plugins":5,"languages":2,"touch_points":0,"screen":[1920,1080],"outer":[1280,800],"inner":[1280,689],"dpr":1}}',
    kt + 500, table.concat(m, ","), t + 80, math.floor(x), math.floor(y), table.concat(k, ","))
end

local signals

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

init = function(args)
  math.randomseed(os.time() + (tid or 0))
  signals = window()
end

request = function()
  counter = counter + 1
  local body = '{"userId":"u' .. (tid or 0) .. "_" .. counter .. '","sessionData":' .. signals .. '}'
  return wrk.format("POST", "/api/v1/verify",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end

done = function(summary, latency, requests)
  local codes = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    codes.status, summary.requests))
end
