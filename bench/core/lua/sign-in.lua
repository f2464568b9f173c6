-- POST /auth/sign_in, cycling through the accounts listed (one email a line) in KEYCARD_BENCH_EMAILS.
local emails = {}
for line in io.lines(os.getenv("KEYCARD_BENCH_EMAILS")) do
  emails[#emails + 1] = line
end
local password = os.getenv("KEYCARD_BENCH_PASSWORD")
local index = 0

request = function()
  index = index + 1
  local body = '{"email":"' .. emails[(index % #emails) + 1] .. '","password":"' .. password .. '"}'
  return wrk.format("POST", "/auth/sign_in", { ["Content-Type"] = "application/json" }, body)
end
