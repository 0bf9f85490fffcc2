"""Lua for every state change of a hold, so each is one atomic round trip.

Every script gets the queue's global keys in the same order (see
`ReviewKeys.globals`) and the per-hold key base as ARGV[1]. Times come from
Redis's own clock so replicas with skewed clocks agree on deadlines and
leases. A hold is closed (decided or expired) in exactly one place,
`close_hold`, which also writes the per-hold result stream that waiters
read, queues the webhook and appends the audit entry — all in the same step.

On Redis Cluster, per-hold keys are derived inside the scripts, so the
prefix must carry a hash tag (e.g. `guardrail:{gr}:`) to keep them in one slot.
"""

from __future__ import annotations

from guardrail.audit.lua import AUDIT_LUA

_LIB = AUDIT_LUA + r"""
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n) return string.format('%.0f', n) end

local g = {open = KEYS[1], closed = KEYS[2], deadlines = KEYS[3], outbox = KEYS[4],
           audit_stream = KEYS[5], audit_head = KEYS[6], labels = KEYS[7],
           label_counts = KEYS[8], claims = KEYS[9]}

-- A decision's label: kept on the hold (with the wanted text), appended to
-- the label log without any text (`logged`, trimmed to `label_keep` seconds:
-- it outlives the hold) and counted per app, rule and reviewer call.
local function record_label(h, label, logged, now, label_keep)
  if label == '' then return end
  redis.call('HSET', h, 'decision_label', label)
  redis.call('XADD', g.labels, 'MINID', '~', fmt(now - label_keep * 1000), '*', 'label', logged)
  local l = cjson.decode(logged)
  local counted = false
  for _, pair in ipairs({{l.rule_ids, 'enforced'}, {l.shadow_rule_ids, 'shadow'}}) do
    if type(pair[1]) == 'table' then
      for _, rule in ipairs(pair[1]) do
        redis.call('HINCRBY', g.label_counts,
                   l.app .. '\n' .. rule .. '\n' .. l.call .. '\n' .. pair[2], 1)
        counted = true
      end
    end
  end
  if not counted then
    redis.call('HINCRBY', g.label_counts, l.app .. '\n\n' .. l.call .. '\n' .. l.kind, 1)
  end
end

-- The label of an item nobody decided: which rules held it, no judgement.
local function expiry_label(h, id)
  local f = redis.call('HMGET', h, 'app', 'kind', 'findings', 'policy_version', 'created')
  local enforced, shadow = {}, {}
  local seen = {}
  local findings = f[3]
  if not findings or findings == '' then findings = '[]' end
  for _, finding in ipairs(cjson.decode(findings)) do
    local key = tostring(finding.shadow) .. finding.rule_id
    if not seen[key] then
      seen[key] = true
      if finding.shadow then shadow[#shadow + 1] = finding.rule_id
      else enforced[#enforced + 1] = finding.rule_id end
    end
  end
  table.sort(enforced)
  table.sort(shadow)
  local policy_action = 'hold'
  if f[2] == 'report' then policy_action = 'allow' end
  return cjson.encode({hold_id = id, app = f[1], kind = f[2], call = 'expired',
                       decision = 'timeout', policy_action = policy_action,
                       rule_ids = enforced, shadow_rule_ids = shadow,
                       policy_version = f[4] or '', created = tonumber(f[5] or '0') / 1000})
end

local function close_hold(base, id, status, decision, reviewer, text, has_text, idem,
                          retention, now, audit_body, label, label_keep, logged)
  local h = base .. 'hold:' .. id
  local info = redis.call('HMGET', h, 'kind', 'app', 'conv', 'version')
  local version = tonumber(info[4]) + 1
  local out = {hold_id = id, kind = info[1], app = info[2], conversation_id = info[3],
               status = status, decision = decision, decided_at = now, version = version}
  if reviewer ~= '' then out.reviewer = reviewer end
  if has_text == '1' then out.text = text end
  local outcome = cjson.encode(out)
  redis.call('HSET', h, 'status', status, 'version', version, 'decision', decision,
             'decided_by', reviewer, 'decided_at', fmt(now), 'released', text,
             'has_released', has_text, 'idem', idem, 'outcome', outcome,
             'claimed_by', '', 'claim_until', '')
  redis.call('ZREM', g.open, id)
  redis.call('ZREM', g.deadlines, id)
  redis.call('ZREM', g.claims, id)
  redis.call('ZADD', g.closed, now, id)
  record_label(h, label, logged or label, now, label_keep)
  local done = base .. 'done:' .. id
  redis.call('XADD', done, 'MAXLEN', '1', '*', 'outcome', outcome)
  redis.call('EXPIRE', h, retention)
  redis.call('EXPIRE', done, retention)
  redis.call('ZADD', g.outbox, 'NX', now, id)
  audit_append(g.audit_stream, g.audit_head, audit_body)
  return outcome
end

-- The policy's timeout outcome: the timeout text, never the held answer.
-- A 'holding' policy keeps the item open past its deadline (review continues).
local function expire_one(base, id, now, retention, label_keep)
  local h = base .. 'hold:' .. id
  local st = redis.call('HMGET', h, 'status', 'timeout_text', 'app', 'kind', 'timeout_outcome')
  if (st[1] ~= 'pending' and st[1] ~= 'claimed') or st[5] == 'holding' then
    redis.call('ZREM', g.deadlines, id)
    return nil
  end
  local has_text = '1'
  if st[4] ~= 'answer' then has_text = '0' end
  local body = '{"app":' .. cjson.encode(st[3]) .. ',"event":"hold.expired","hold_id":'
    .. cjson.encode(id) .. ',"kind":' .. cjson.encode(st[4]) .. ',"timeout_outcome":'
    .. cjson.encode(st[5] or 'fallback') .. '}'
  return close_hold(base, id, 'expired', 'timeout', '', st[2] or '', has_text, '', retention,
                    now, body, expiry_label(h, id), label_keep)
end
"""

# ARGV: base, id, deadline_seconds|'', risk, audit_body, timeout_outcome, field, value, ...
PARK = _LIB + r"""
local base, id = ARGV[1], ARGV[2]
local h = base .. 'hold:' .. id
if redis.call('EXISTS', h) == 1 then return {'exists'} end
local now = now_ms()
local deadline = ''
if ARGV[3] ~= '' then deadline = fmt(now + tonumber(ARGV[3]) * 1000) end
local fields = {'id', id, 'status', 'pending', 'version', '1', 'created', fmt(now),
                'deadline', deadline, 'risk', ARGV[4], 'claimed_by', '', 'claim_until', '',
                'timeout_outcome', ARGV[6]}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', h, unpack(fields))
-- Newest-risk first: risk dominates, then creation time.
redis.call('ZADD', g.open, tonumber(ARGV[4]) * 1e13 + now, id)
if deadline ~= '' and ARGV[6] ~= 'holding' then
  redis.call('ZADD', g.deadlines, deadline, id)
end
audit_append(g.audit_stream, g.audit_head, ARGV[5])
return {'ok', fmt(now), deadline}
"""

# ARGV: base, id, reviewer, decision, text, has_text, expected_version|'', idem|'',
#       retention, audit_body, label, label_retention, label_without_text
DECIDE = _LIB + r"""
local base, id, reviewer = ARGV[1], ARGV[2], ARGV[3]
local h = base .. 'hold:' .. id
local st = redis.call('HMGET', h, 'status', 'version', 'claimed_by', 'claim_until',
                      'deadline', 'idem', 'outcome', 'timeout_outcome')
if not st[1] then return {'notfound'} end
local idem = ARGV[8]
if idem ~= '' and st[6] == idem then return {'repeat', st[7]} end
if st[1] == 'decided' or st[1] == 'expired' then return {'closed', st[1], st[2]} end
local now = now_ms()
local retention = tonumber(ARGV[9])
local label_keep = tonumber(ARGV[12])
local dl = tonumber(st[5])
if dl and dl <= now and st[8] ~= 'holding' then
  expire_one(base, id, now, retention, label_keep)
  return {'closed', 'expired', tostring(tonumber(st[2]) + 1)}
end
if ARGV[7] ~= '' and st[2] ~= ARGV[7] then return {'conflict', 'version', st[2]} end
local until_ms = tonumber(st[4])
if st[1] == 'claimed' and st[3] ~= reviewer and until_ms and until_ms > now then
  return {'conflict', 'claimed', st[2], st[3]}
end
local outcome = close_hold(base, id, 'decided', ARGV[4], reviewer, ARGV[5], ARGV[6], idem,
                           retention, now, ARGV[10], ARGV[11], label_keep, ARGV[13])
return {'ok', outcome}
"""

# ARGV: base, id, reviewer, lease_seconds, retention, audit_body, mode ('claim'|'release'),
#       label_retention
CLAIM = _LIB + r"""
local base, id, reviewer = ARGV[1], ARGV[2], ARGV[3]
local h = base .. 'hold:' .. id
local st = redis.call('HMGET', h, 'status', 'version', 'claimed_by', 'claim_until', 'deadline',
                      'timeout_outcome')
if not st[1] then return {'notfound'} end
if st[1] == 'decided' or st[1] == 'expired' then return {'closed', st[1], st[2]} end
local now = now_ms()
local dl = tonumber(st[5])
if dl and dl <= now and st[6] ~= 'holding' then
  expire_one(base, id, now, tonumber(ARGV[5]), tonumber(ARGV[8]))
  return {'closed', 'expired', tostring(tonumber(st[2]) + 1)}
end
local until_ms = tonumber(st[4])
local live = st[1] == 'claimed' and until_ms and until_ms > now
if ARGV[7] == 'release' then
  if st[3] ~= reviewer then return {'conflict', 'claimed', st[2], st[3] or ''} end
  redis.call('HSET', h, 'status', 'pending', 'claimed_by', '', 'claim_until', '')
  redis.call('ZREM', g.claims, id)
  audit_append(g.audit_stream, g.audit_head, ARGV[6])
  return {'ok', ''}
end
if live and st[3] ~= reviewer then return {'conflict', 'claimed', st[2], st[3]} end
local lease_end = fmt(now + tonumber(ARGV[4]) * 1000)
redis.call('HSET', h, 'status', 'claimed', 'claimed_by', reviewer, 'claim_until', lease_end)
redis.call('ZADD', g.claims, lease_end, id)
audit_append(g.audit_stream, g.audit_head, ARGV[6])
return {'ok', lease_end}
"""

# ARGV: base, retention, limit, only_id|'', label_retention.
# Returns {outcomes it wrote, ids whose claim ran out and went back to the queue}.
SWEEP = _LIB + r"""
local base, retention, limit, only = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local label_keep = tonumber(ARGV[5])
local now = now_ms()
local ids
if only ~= '' then
  local score = redis.call('ZSCORE', g.deadlines, only)
  if score and tonumber(score) <= now then ids = {only} else ids = {} end
else
  ids = redis.call('ZRANGEBYSCORE', g.deadlines, '-inf', now, 'LIMIT', 0, limit)
  redis.call('ZREMRANGEBYSCORE', g.closed, '-inf', now - retention * 1000)
end
local outcomes = {}
for _, id in ipairs(ids) do
  local out = expire_one(base, id, now, retention, label_keep)
  if out then outcomes[#outcomes + 1] = out end
end
-- A claim nobody renewed or decided in time: the item goes back to the queue.
local returned = {}
local lapsed
if only ~= '' then
  local score = redis.call('ZSCORE', g.claims, only)
  if score and tonumber(score) <= now then lapsed = {only} else lapsed = {} end
else
  lapsed = redis.call('ZRANGEBYSCORE', g.claims, '-inf', now, 'LIMIT', 0, limit)
end
for _, id in ipairs(lapsed) do
  local h = base .. 'hold:' .. id
  local st = redis.call('HMGET', h, 'status', 'claimed_by', 'claim_until', 'app')
  redis.call('ZREM', g.claims, id)
  local until_ms = tonumber(st[3])
  if st[1] == 'claimed' and until_ms and until_ms <= now then
    redis.call('HSET', h, 'status', 'pending', 'claimed_by', '', 'claim_until', '')
    audit_append(g.audit_stream, g.audit_head,
      '{"app":' .. cjson.encode(st[4] or '') .. ',"event":"hold.claim_expired","hold_id":'
      .. cjson.encode(id) .. ',"reviewer":' .. cjson.encode(st[2] or '') .. '}')
    returned[#returned + 1] = id
  end
end
return {outcomes, returned}
"""
