-- Each request files one resident request as the next signed-in resident from
-- people.txt (lines: "<session cookie>\t<csrf token>\t<grid id>"); threads take
-- interleaved residents, then start over (a resident may file many requests).
-- wrk -s intake.lua URL -- PEOPLE_FILE THREADS
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
    local cookie, token, grid = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(people, {cookie, token, grid})
  end
  step = tonumber(args[2])
  index = offset
  sent = 0
end

function request()
  local person = people[index]
  index = index + step
  if index > #people then
    index = offset
  end
  sent = sent + 1
  local text = "%E5%B0%8F%E5%8C%BA%E9%97%A8%E5%8F%A3%E5%9E%83%E5%9C%BE%E5%A0%86%E7%A7%AF"
  return wrk.format("POST", nil, {
    ["Cookie"] = "gongzhi_session=" .. person[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. person[2] .. "&category=environment&area_id=" .. person[3]
     .. "&description=" .. text .. offset .. "-" .. sent)
end
