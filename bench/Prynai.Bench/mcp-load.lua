-- wrk script for the Prynai benchmark (bench/run.sh). Every target is driven by this same script.
-- Arguments after "--", each key=value (passed by Prynai.Bench as separate argv entries, no shell quoting):
--   body=<JSON-RPC request>      the POST body
--   header=<Name>: <value>       a request header (repeatable)
--   session=<Mcp-Session-Id>     requests cycle over these sessions (repeatable; none: no session header)
--   expect=<substring>           a response is valid when it is HTTP 200 and its body contains this
--   stop_after=<n>               each thread stops after n responses (count-based runs use -c equal to -t, so
--                                nothing is in flight when a thread stops); it prints BENCH-THREAD-STOPPED
-- done() prints one line: BENCH-RESULT {json}

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local headers, sessions = {}, {}
   local body = nil
   expect, stop_after = nil, 0
   for _, arg in pairs(args) do
      local key, value = string.match(arg, "^([%w_]+)=(.*)$")
      if key == "body" then
         body = value
      elseif key == "header" then
         local name, header_value = string.match(value, "^([^:]+):%s*(.*)$")
         headers[name] = header_value
      elseif key == "session" then
         table.insert(sessions, value)
      elseif key == "expect" then
         expect = value
      elseif key == "stop_after" then
         stop_after = tonumber(value)
      end
   end
   assert(body ~= nil and expect ~= nil, "body= and expect= are required")

   -- Requests are formatted once; request() only picks the next one.
   requests = {}
   if #sessions == 0 then
      requests[1] = wrk.format("POST", nil, headers, body)
   else
      for i, id in ipairs(sessions) do
         headers["Mcp-Session-Id"] = id
         requests[i] = wrk.format("POST", nil, headers, body)
      end
   end
   next_index, responses, valid, invalid, first_invalid = 0, 0, 0, 0, ""
end

function request()
   next_index = next_index % #requests + 1
   return requests[next_index]
end

function response(status, headers, body)
   responses = responses + 1
   if status == 200 and body ~= nil and string.find(body, expect, 1, true) then
      valid = valid + 1
   else
      invalid = invalid + 1
      if first_invalid == "" then
         first_invalid = "HTTP " .. status .. ": " .. string.sub(body or "", 1, 300)
      end
   end
   if stop_after > 0 and responses >= stop_after then
      io.stdout:write("BENCH-THREAD-STOPPED\n")
      io.stdout:flush()
      wrk.thread:stop()
   end
end

local function json_string(s)
   return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
   local total_valid, total_invalid, sample = 0, 0, ""
   for _, thread in ipairs(threads) do
      total_valid = total_valid + thread:get("valid")
      total_invalid = total_invalid + thread:get("invalid")
      local first = thread:get("first_invalid")
      if sample == "" and first ~= nil then
         sample = first
      end
   end
   local e = summary.errors
   io.stdout:write(string.format(
      'BENCH-RESULT {"requests":%d,"durationUs":%d,"valid":%d,"invalid":%d,' ..
      '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,' ..
      '"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f,"firstInvalid":%s}\n',
      summary.requests, summary.duration, total_valid, total_invalid,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      json_string(sample)))
   io.stdout:flush()
end
