package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// NumCounts is the number of delivery counts the service gives per
// MessageId (QueryPushStatByMsg).
const NumCounts = 10

// Counts are a MessageId's delivery counts, or their totals, in the order
// of CountFields.
type Counts [NumCounts]int64

// CountFields name the delivery counts: the totals' fields of a job's
// delivery hash and the fields of a MessageId's stats hash.
var CountFields = [NumCounts]string{"accepted", "sent", "received", "opened", "deleted",
	"sms_sent", "sms_skipped", "sms_failed", "sms_received", "sms_receive_failed"}

// Fields of a job's delivery hash (Keys.Delivery) besides the totals.
const (
	// DeliveryRefreshed: the figures are as of this time (ms), the oldest
	// refresh of the last full pass over the job's MessageIds.
	DeliveryRefreshed = "refreshed_ms"
	// DeliveryPasses counts the full passes done.
	DeliveryPasses = "passes"
	// DeliveryError is a code that some MessageId got instead of its
	// figures in the last full pass; absent when none did.
	DeliveryError = "error"
	// DeliveryNext is when the next scheduled refresh is due (ms); absent
	// when none is.
	DeliveryNext = "next_ms"
	// DeliveryRound is the number of the last scheduled round enqueued.
	DeliveryRound = "round"
)

// messageStatsAt is the field of a MessageId's stats hash that holds when
// it was last asked for (ms).
const messageStatsAt = "at_ms"

// luaCounts is CountFields as a Lua table, for @count_fields in a script.
var luaCounts = func() string {
	q := make([]string, NumCounts)
	for i, f := range CountFields {
		q[i] = strconv.Quote(f)
	}
	return "{" + strings.Join(q, ", ") + "}"
}()

// newCountsScript is newScript with @count_fields as luaCounts.
func newCountsScript(src string) *redis.Script {
	return newScript(strings.ReplaceAll(src, "@count_fields", luaCounts))
}

// luaSplit is a Lua function that splits a string at each "|".
const luaSplit = `
local function split(s)
  local out, from = {}, 1
  while true do
    local i = string.find(s, "|", from, true)
    if not i then
      table.insert(out, string.sub(s, from))
      return out
    end
    table.insert(out, string.sub(s, from, i - 1))
    from = i + 1
  end
end
`

// MessageStats are the delivery statistics of one of a job's MessageIds.
type MessageStats struct {
	MessageID string
	Counts    Counts
	// At is when the service was last asked.
	At time.Time
	// Code is the code the service answered instead of the figures the
	// last time ("" when it gave them); Counts keep the last figures.
	Code string
}

// PackMessageStats is m as a job's delivery messages hash holds it:
// "<at ms>|<count>|...|<count>|<code>", the counts in CountFields order.
func PackMessageStats(m MessageStats) string {
	parts := make([]string, 0, NumCounts+2)
	parts = append(parts, strconv.FormatInt(m.At.UnixMilli(), 10))
	for _, c := range m.Counts {
		parts = append(parts, strconv.FormatInt(c, 10))
	}
	return strings.Join(append(parts, m.Code), "|")
}

// UnpackMessageStats reverses PackMessageStats.
func UnpackMessageStats(mid, v string) MessageStats {
	parts := strings.Split(v, "|")
	m := MessageStats{MessageID: mid}
	for i, p := range parts {
		n, _ := strconv.ParseInt(p, 10, 64)
		switch {
		case i == 0:
			m.At = msTime(p)
		case i <= NumCounts:
			m.Counts[i-1] = n
		default:
			m.Code = p
		}
	}
	return m
}

// mergeMessageStatsScript records what the service answered for a
// MessageId, keeping each count's highest figure (a lower answer is a
// stale one), and returns what each count grew by.
//
// KEYS[1] -> the MessageId's stats hash (Keys.MessageStats)
// ARGV[1] -> its TTL, ms
// ARGV[2] -> now, ms
// ARGV[3..12] -> the counts, in CountFields order
//
// Returns the growth of each count, in CountFields order: what the
// delivery metric adds. Concurrent calls never count a growth twice.
var mergeMessageStatsScript = newCountsScript(`
local names = @count_fields
local out = {}
for i = 1, #names do
  local old = tonumber(redis.call("HGET", KEYS[1], names[i]) or "0")
  local new = tonumber(ARGV[i + 2])
  out[i] = 0
  if new > old then
    redis.call("HSET", KEYS[1], names[i], ARGV[i + 2])
    out[i] = new - old
  end
end
redis.call("HSET", KEYS[1], "` + messageStatsAt + `", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return out
`)

// MergeMessageStats records counts as MessageId mid's latest answer,
// kept for ttl, and returns how much each count grew since the last one.
func (s *Store) MergeMessageStats(ctx context.Context, appKey int64, mid string, c Counts, now time.Time, ttl time.Duration) (Counts, error) {
	args := make([]any, 0, 2+NumCounts)
	args = append(args, ttl.Milliseconds(), now.UnixMilli())
	for _, n := range c {
		args = append(args, n)
	}
	res, err := mergeMessageStatsScript.Run(ctx, s.rdb, []string{s.keys.MessageStats(appKey, mid)}, args...).Int64Slice()
	if err != nil {
		return Counts{}, fmt.Errorf("recording the statistics of MessageId %s: %w", mid, err)
	}
	var grew Counts
	copy(grew[:], res)
	return grew, nil
}

// recordDeliveryScript records a MessageId's statistics with a job,
// keeping each count's highest figure, and adds what each grew by to the
// job's totals.
//
// KEYS[1] -> the job's meta hash (Keys.Meta): its TTL is the statistics'
// KEYS[2] -> the job's delivery hash (Keys.Delivery)
// KEYS[3] -> the job's delivery messages hash (Keys.DeliveryMessages)
// ARGV[1] -> the MessageId
// ARGV[2] -> when the service was asked, ms
// ARGV[3] -> the code it answered instead of figures, or ""
// ARGV[4..13] -> the counts, in CountFields order (0 with a code)
//
// Returns 1, or 0 when the job no longer exists (nothing is written). The
// later of two records of a MessageId sets its time and code.
var recordDeliveryScript = newCountsScript(luaSplit + `
local ttl = redis.call("PTTL", KEYS[1])
if ttl == -2 then
  return 0
end
local names = @count_fields
local old = {}
local prev = redis.call("HGET", KEYS[3], ARGV[1])
if prev then
  old = split(prev)
end
local at, code = tonumber(ARGV[2]), ARGV[3]
local oldAt = tonumber(old[1] or "0") or 0
if oldAt > at then
  at, code = oldAt, old[#names + 2] or ""
end
local packed = {string.format("%d", at)}
for i = 1, #names do
  local o = tonumber(old[i + 1] or "0") or 0
  local v = math.max(o, tonumber(ARGV[i + 3]))
  if v > o then
    redis.call("HINCRBY", KEYS[2], names[i], string.format("%d", v - o))
  end
  packed[i + 1] = string.format("%d", v)
end
packed[#names + 2] = code
redis.call("HSET", KEYS[3], ARGV[1], table.concat(packed, "|"))
if ttl > 0 then
  redis.call("PEXPIRE", KEYS[2], ttl)
  redis.call("PEXPIRE", KEYS[3], ttl)
end
return 1
`)

// RecordDelivery records m as job id's figures for m.MessageID, expiring
// with the job; false when the job no longer exists.
func (s *Store) RecordDelivery(ctx context.Context, id string, m MessageStats) (bool, error) {
	keys := []string{s.keys.Meta(id), s.keys.Delivery(id), s.keys.DeliveryMessages(id)}
	args := make([]any, 0, 3+NumCounts)
	args = append(args, m.MessageID, m.At.UnixMilli(), m.Code)
	for _, n := range m.Counts {
		args = append(args, n)
	}
	n, err := recordDeliveryScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return false, fmt.Errorf("recording the statistics of MessageId %s of job %s: %w", m.MessageID, id, err)
	}
	return n == 1, nil
}

// completePassScript records that a pass over a job's MessageIds is done.
//
// KEYS[1] -> the job's meta hash (Keys.Meta)
// KEYS[2] -> the job's delivery hash (Keys.Delivery)
// KEYS[3] -> the job's delivery messages hash (Keys.DeliveryMessages)
// ARGV[1..] -> the job's MessageIds
//
// Sets the delivery's refreshed time to the oldest record of the
// MessageIds (never back), its error to the code of one that has one (or
// none), and counts the pass. Returns {passes, refreshed ms}, or {0, 0}
// when the job no longer exists.
var completePassScript = newCountsScript(luaSplit + `
local ttl = redis.call("PTTL", KEYS[1])
if ttl == -2 then
  return {0, 0}
end
local oldest, code = nil, ""
for i = 1, #ARGV do
  local at, c = 0, ""
  local v = redis.call("HGET", KEYS[3], ARGV[i])
  if v then
    local p = split(v)
    at, c = tonumber(p[1]) or 0, p[#p] or ""
  end
  if oldest == nil or at < oldest then
    oldest = at
  end
  if c ~= "" then
    code = c
  end
end
local refreshed = tonumber(redis.call("HGET", KEYS[2], @d_refreshed) or "0")
if oldest and oldest > refreshed then
  refreshed = oldest
  redis.call("HSET", KEYS[2], @d_refreshed, string.format("%d", oldest))
end
if code ~= "" then
  redis.call("HSET", KEYS[2], @d_error, code)
else
  redis.call("HDEL", KEYS[2], @d_error)
end
local passes = redis.call("HINCRBY", KEYS[2], @d_passes, 1)
if ttl > 0 then
  redis.call("PEXPIRE", KEYS[2], ttl)
end
return {passes, refreshed}
`)

// CompletePass records that every one of mids, job id's MessageIds, has
// been asked for, and returns the number of passes done and the time the
// figures are now as of. Passes is 0 when the job no longer exists.
func (s *Store) CompletePass(ctx context.Context, id string, mids []string) (int, time.Time, error) {
	keys := []string{s.keys.Meta(id), s.keys.Delivery(id), s.keys.DeliveryMessages(id)}
	args := make([]any, len(mids))
	for i, m := range mids {
		args[i] = m
	}
	res, err := completePassScript.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("completing a statistics pass of job %s: %w", id, err)
	}
	return int(res[0]), msTime(strconv.FormatInt(res[1], 10)), nil
}

// setNextScript records when a job's next scheduled refresh is due.
//
// KEYS[1] -> the job's meta hash (Keys.Meta)
// KEYS[2] -> the job's delivery hash (Keys.Delivery)
// ARGV[1] -> when, ms; "" for none
// ARGV[2] -> the round; with ARGV[1] "", nothing
//
// Returns 1, or 0 when the job no longer exists.
var setNextScript = newScript(`
local ttl = redis.call("PTTL", KEYS[1])
if ttl == -2 then
  return 0
end
if ARGV[1] == "" then
  redis.call("HDEL", KEYS[2], @d_next)
else
  redis.call("HSET", KEYS[2], @d_next, ARGV[1], @d_round, ARGV[2])
end
if ttl > 0 then
  redis.call("PEXPIRE", KEYS[2], ttl)
end
return 1
`)

// SetNextRefresh records that job id's scheduled refresh round is due at
// at; a zero at records that none is (the last round stays recorded).
func (s *Store) SetNextRefresh(ctx context.Context, id string, round int, at time.Time) error {
	when := ""
	if !at.IsZero() {
		when = strconv.FormatInt(at.UnixMilli(), 10)
	}
	err := setNextScript.Run(ctx, s.rdb, []string{s.keys.Meta(id), s.keys.Delivery(id)}, when, round).Err()
	if err != nil {
		return fmt.Errorf("recording the next statistics refresh of job %s: %w", id, err)
	}
	return nil
}

// Delivery is a job's delivery statistics: the totals over its MessageIds
// and the state of their refreshes.
type Delivery struct {
	Totals Counts
	// Refreshed is the time the figures are as of (zero before the first
	// full pass); Passes the full passes done.
	Refreshed time.Time
	Passes    int
	// Error is a code some MessageId got instead of its figures in the
	// last full pass.
	Error string
	// Next is when the next scheduled refresh is due (zero: none); Round
	// the last scheduled round enqueued.
	Next  time.Time
	Round int
}

// parseDelivery decodes a delivery hash; nil when it is empty.
func parseDelivery(m map[string]string) *Delivery {
	if len(m) == 0 {
		return nil
	}
	d := &Delivery{Refreshed: msTime(m[DeliveryRefreshed]), Passes: atoi(m[DeliveryPasses]), Error: m[DeliveryError],
		Next: msTime(m[DeliveryNext]), Round: atoi(m[DeliveryRound])}
	for i, f := range CountFields {
		d.Totals[i], _ = strconv.ParseInt(m[f], 10, 64)
	}
	return d
}

// ReadDelivery reads job id's delivery statistics (nil before any) and its
// figures per MessageId, in no order.
func (s *Store) ReadDelivery(ctx context.Context, id string) (*Delivery, []MessageStats, error) {
	var d, mids *redis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		d = p.HGetAll(ctx, s.keys.Delivery(id))
		mids = p.HGetAll(ctx, s.keys.DeliveryMessages(id))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("reading the delivery statistics of job %s: %w", id, err)
	}
	out := make([]MessageStats, 0, len(mids.Val()))
	for mid, v := range mids.Val() {
		out = append(out, UnpackMessageStats(mid, v))
	}
	return parseDelivery(d.Val()), out, nil
}
