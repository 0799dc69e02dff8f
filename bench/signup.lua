-- The 1,000-for-100 burst: each request signs up the next person from people.txt
-- (lines: "<session cookie>\t<csrf token>"); threads take interleaved people.
-- A thread prints "finished" once every one of its sign-ups has been answered;
-- the caller then stops wrk (SIGINT), and done() prints "burst <seconds>" from
-- the first request sent to the last sign-up answered, on the monotonic clock.
-- A connection that frees up after its thread has sent its last sign-up fetches
-- a small static file instead (answered 200, told apart from sign-ups, which
-- answer 303 or 409).
-- wrk -s signup.lua URL -- PEOPLE_FILE THREADS STATIC_PATH
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } gongzhi_timespec;
int clock_gettime(int clk_id, gongzhi_timespec *tp);
]]
local CLOCK_MONOTONIC = 1

local function now()
  local t = ffi.new("gongzhi_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local people = {}
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local cookie, token = line:match("([^\t]+)\t([^\t]+)")
    table.insert(people, {cookie, token})
  end
  step = tonumber(args[2])
  filler = args[3]
  index = offset
  share = 0
  for i = offset, #people, step do share = share + 1 end
  answered = 0
  refused = 0
  calls = 0
end

function request()
  -- wrk calls request() once before the run to check the script (the first
  -- thread at least): that call must not use up a person.
  calls = calls + 1
  if calls == 1 then return wrk.format("GET", filler) end
  if started == nil then started = now() end
  local person = people[index]
  if person == nil then
    return wrk.format("GET", filler)
  end
  index = index + step
  return wrk.format("POST", nil, {
    ["Cookie"] = "gongzhi_session=" .. person[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. person[2])
end

function response(status, headers, body)
  if status == 200 then return end
  answered = answered + 1
  if status ~= 303 then refused = refused + 1 end
  if answered == share then
    finished = now()
    io.write("finished\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local first, last, answers, refusals = nil, nil, 0, 0
  for _, t in ipairs(threads) do
    local s, f = t:get("started"), t:get("finished")
    if s ~= nil and (first == nil or s < first) then first = s end
    if f ~= nil and (last == nil or f > last) then last = f end
    answers = answers + t:get("answered")
    refusals = refusals + t:get("refused")
  end
  if first ~= nil and last ~= nil then
    io.write(string.format("burst %.4f\n", last - first))
  end
  io.write(string.format("answered %d refused %d\n", answers, refusals))
end
