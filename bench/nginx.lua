-- The ceiling: a POST of a similar size to nginx answering a fixed SWML document.
local common = dofile("bench/common.lua")
local body = os.getenv("BENCH_BODY")

function request()
  return wrk.format("POST", "/voice", { ["Content-Type"] = "application/json" }, body)
end

done = common.done
