-- Each request posts a form as the next person from people.txt
-- (lines: "<session cookie>\t<csrf token>"); threads take interleaved people.
-- The body is the CSRF token and EXTRA ("&item=1&item=2", or "" for none).
-- wrk -s post.lua URL -- PEOPLE_FILE THREADS EXTRA
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
  extra = args[3] or ""
  index = offset
end

function request()
  local voter = voters[index]
  index = index + step
  if voter == nil then
    voter = voters[1]  -- ran out: a repeat, refused (409) or a no-op
  end
  return wrk.format("POST", nil, {
    ["Cookie"] = "gongzhi_session=" .. voter[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. voter[2] .. extra)
end
