-- POST /count/{name} spread round-robin over the counters named in BENCH_COUNTERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local names = {}
for name in string.gmatch(os.getenv("BENCH_COUNTERS"), "[^,]+") do
  names[#names + 1] = name
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/count/" .. names[(i % #names) + 1])
end
