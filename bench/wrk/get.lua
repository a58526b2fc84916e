-- GET the URL as given (summary, series or badge).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
