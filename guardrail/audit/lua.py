"""The Lua that appends one chained entry to the audit stream.

The chain is built inside Redis, in one script, so writers on many replicas
can never read the same "previous hash" and fork the chain. Redis's Lua only
offers SHA-1, so SHA-256 is implemented here with the bundled `bit` library;
`tests/audit` checks it against hashlib.

`AUDIT_LUA` defines `audit_append(stream, head, body)`; other scripts (the
review queue's) prepend it so a decision and its audit entry are written in
the same atomic step.
"""

from __future__ import annotations

_SHA256_LUA = """
local function sha256(msg)
  local band, bxor, bnot, rshift, lshift, ror, tobit =
    bit.band, bit.bxor, bit.bnot, bit.rshift, bit.lshift, bit.ror, bit.tobit
  local K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2}
  local H = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
  local ml = #msg
  local bits = ml * 8
  local hi = math.floor(bits / 4294967296)
  local lo = bits % 4294967296
  msg = msg .. '\\128' .. string.rep('\\0', (55 - ml) % 64) .. string.char(
    math.floor(hi / 16777216) % 256, math.floor(hi / 65536) % 256,
    math.floor(hi / 256) % 256, hi % 256,
    math.floor(lo / 16777216) % 256, math.floor(lo / 65536) % 256,
    math.floor(lo / 256) % 256, lo % 256)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local b1, b2, b3, b4 = string.byte(msg, chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bit.bor(lshift(b1, 24), lshift(b2, 16), lshift(b3, 8), b4)
    end
    for i = 16, 63 do
      local w15, w2 = w[i - 15], w[i - 2]
      local s0 = bxor(ror(w15, 7), ror(w15, 18), rshift(w15, 3))
      local s1 = bxor(ror(w2, 17), ror(w2, 19), rshift(w2, 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for i = 0, 63 do
      local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = tobit(h + S1 + ch + K[i + 1] + w[i])
      local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      local t2 = tobit(S0 + maj)
      h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    H[1] = tobit(H[1] + a); H[2] = tobit(H[2] + b); H[3] = tobit(H[3] + c)
    H[4] = tobit(H[4] + d); H[5] = tobit(H[5] + e); H[6] = tobit(H[6] + f)
    H[7] = tobit(H[7] + g); H[8] = tobit(H[8] + h)
  end
  local out = {}
  for i = 1, 8 do out[i] = bit.tohex(H[i], 8) end
  return table.concat(out)
end
"""

# Entry hash = sha256(prev "\n" seq "\n" ts "\n" body). `ts` is Redis's own
# clock, so replicas with skewed clocks still write a monotonic log.
AUDIT_LUA = (
    _SHA256_LUA
    + """
local function audit_append(stream, head, body)
  local t = redis.call('TIME')
  local ts = string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  local seq = redis.call('HINCRBY', head, 'seq', 1)
  local prev = redis.call('HGET', head, 'hash') or ''
  local h = sha256(prev .. '\\n' .. seq .. '\\n' .. ts .. '\\n' .. body)
  redis.call('XADD', stream, '*', 'seq', seq, 'ts', ts, 'prev', prev, 'hash', h, 'body', body)
  redis.call('HSET', head, 'hash', h)
  return h
end
"""
)

# Appends every ARGV in order, chained (one entry, or a request's decision and
# its answer's in one round trip); returns the last entry's hash.
APPEND_SCRIPT = (
    AUDIT_LUA
    + """
local h = ''
for i = 1, #ARGV do h = audit_append(KEYS[1], KEYS[2], ARGV[i]) end
return h
"""
)

# Used by tests to check the Lua SHA-256 against hashlib.
SHA256_SCRIPT = _SHA256_LUA + "\nreturn sha256(ARGV[1])\n"
