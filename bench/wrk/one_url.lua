-- Every request to the URL as given, with the scenario's method (BENCH_METHOD).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
wrk.method = os.getenv("BENCH_METHOD")
