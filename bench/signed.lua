-- Replays pre-signed requests (bench/bench.py writes them to $BENCH_REQUESTS: one line per request,
-- "<signature>\t<body>") against one endpoint with one content type. Each wrk thread starts at its
-- own offset so threads do not send the same request at the same time.
local common = dofile("bench/common.lua")
local path = os.getenv("BENCH_PATH")
local content_type = os.getenv("BENCH_CONTENT_TYPE")
local entries = {}
local index = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("offset", thread_count * 7919)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local tab = line:find("\t", 1, true)
    entries[#entries + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
  end
  index = (offset or 0) % #entries
end

function request()
  index = index % #entries + 1
  local entry = entries[index]
  local headers = { ["Content-Type"] = content_type }
  if entry[1] ~= "-" then headers["X-SignalWire-Signature"] = entry[1] end
  return wrk.format("POST", path, headers, entry[2])
end

done = common.done
