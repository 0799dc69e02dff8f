-- Each request casts one ballot as the next voter from voters.txt
-- (lines: "<session cookie>\t<csrf token>"); threads take interleaved voters.
-- wrk -s cast.lua URL -- VOTERS_FILE THREADS
local voters = {}
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
    table.insert(voters, {cookie, token})
  end
  step = tonumber(args[2])
  index = offset
end

function request()
  local voter = voters[index]
  index = index + step
  if voter == nil then
    voter = voters[1]  -- ran out: a duplicate, refused with 409
  end
  return wrk.format("POST", nil, {
    ["Cookie"] = "gongzhi_session=" .. voter[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. voter[2] .. "&item=1&item=2")
end
