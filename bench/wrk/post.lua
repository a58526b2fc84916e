-- POST /count/{name} on the URL's path: every request counts one use of one counter.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
wrk.method = "POST"
