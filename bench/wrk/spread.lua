-- /count/{name} with the scenario's method (BENCH_METHOD), round-robin over the counters
-- named in BENCH_COUNTERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
wrk.method = os.getenv("BENCH_METHOD")
local names = {}
for name in string.gmatch(os.getenv("BENCH_COUNTERS"), "[^,]+") do
  names[#names + 1] = name
end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/count/" .. names[(i % #names) + 1])
end
