-- wrk script: POSTs one servlet operation per request and counts answers that are not
-- Success, so a benchmark of failures cannot pass for a benchmark of work.
-- OPERATION = add | get, set through the environment of wrk.
local operation = os.getenv("OPERATION") or "add"
local login = os.getenv("BENCH_LOGIN")
local password = os.getenv("BENCH_PASSWORD")
threads = {}
counter = 0
failures = 0
sample = nil

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  local body
  if operation == "add" then
    body = "operation=AddTechnician&username=" .. login .. "&password=" .. password
      .. "&name=Bench+" .. id .. "-" .. counter .. "&email=bench" .. id .. "-" .. counter .. "%40example.com"
  else
    body = "operation=GetTechnician&username=" .. login .. "&password=" .. password
      .. "&techLoginName=" .. login
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, "<operationstatus>Success</operationstatus>", 1, true) then
    failures = failures + 1
    sample = body
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("failures")
    local s = thread:get("sample")
    if s then io.stderr:write("a failed answer: " .. s .. "\n") end
  end
  io.write(string.format("NOT_SUCCESS %d\n", total))
end
