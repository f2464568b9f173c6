-- GET /me with a different access token on every request, read from the file KEYCARD_BENCH_TOKENS.
local tokens = {}
for line in io.lines(os.getenv("KEYCARD_BENCH_TOKENS")) do
  tokens[#tokens + 1] = line
end
local index = 0

request = function()
  index = index + 1
  return wrk.format("GET", "/me", { ["Authorization"] = "Bearer " .. tokens[(index % #tokens) + 1] })
end
