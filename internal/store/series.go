package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fields of a job's series hash (Keys.Series) besides its buckets, each a
// field named by its start in unix seconds that counts the targets pushed
// in it.
const (
	SeriesWidth = "width" // seconds each bucket spans: 1, doubled as the job runs long
	SeriesStart = "start" // the start of the first bucket, unix seconds
)

// SeriesMaxBuckets bounds a job's series: when its buckets from the first
// to the current one would be more, their width doubles and they are
// merged in pairs. A job of any length keeps at most this many.
const SeriesMaxBuckets = 480

// luaSample is a Lua function that counts n targets pushed now (the Redis
// server's clock) in the series hash key, whose TTL is set to ttl ms when
// renew is true or the key is new. The chunk script calls it when it
// counts pushed targets. It writes the bucket's count, and the width and
// start only when they change: a write in a script costs Redis about
// three times a read.
var luaSample = strings.ReplaceAll(luaSampleSrc, "SERIES_MAX", strconv.Itoa(SeriesMaxBuckets))

const luaSampleSrc = `
local function sample(key, n, ttl, renew)
  if n <= 0 then
    return
  end
  local now = tonumber(redis.call("TIME")[1])
  local width, start = unpack(redis.call("HMGET", key, @s_width, @s_start))
  local w = tonumber(width or "1")
  local s = tonumber(start or "-1")
  if s < 0 or now < s then
    s = now - now % w
  end
  local nw = w
  while (now - now % nw - (s - s % nw)) / nw + 1 > ` + "SERIES_MAX" + ` do
    nw = nw * 2
  end
  if nw ~= w then
    local all = redis.call("HGETALL", key)
    local sums = {}
    for i = 1, #all, 2 do
      local t = tonumber(all[i])
      if t then
        local nb = t - t % nw
        sums[nb] = (sums[nb] or 0) + tonumber(all[i + 1])
        redis.call("HDEL", key, all[i])
      end
    end
    for nb, v in pairs(sums) do
      redis.call("HINCRBY", key, string.format("%d", nb), string.format("%d", v))
    end
    w, s = nw, s - s % nw
  end
  redis.call("HINCRBY", key, string.format("%d", now - now % w), n)
  if tonumber(width) ~= w or tonumber(start) ~= s then
    redis.call("HSET", key, @s_width, string.format("%d", w), @s_start, string.format("%d", s))
  end
  if renew or not width then
    redis.call("PEXPIRE", key, ttl)
  end
end
`

// Series is a job's pushed targets over time, in buckets of one width.
type Series struct {
	// Start is the start of the first bucket; Width each bucket's span.
	Start time.Time
	Width time.Duration
	// Pushed counts the targets pushed in each bucket, one after another
	// from Start to the last bucket with a push (at most SeriesMaxBuckets).
	Pushed []int64
}

// ReadSeries reads job id's series; empty before any target was pushed.
func (s *Store) ReadSeries(ctx context.Context, id string) (Series, error) {
	m, err := s.rdb.HGetAll(ctx, s.keys.Series(id)).Result()
	if err != nil {
		return Series{}, fmt.Errorf("reading the series of job %s: %w", id, err)
	}
	width, start := int64(atoi(m[SeriesWidth])), int64(atoi(m[SeriesStart]))
	if width <= 0 {
		return Series{}, nil
	}
	out := Series{Start: time.Unix(start, 0), Width: time.Duration(width) * time.Second}
	for f, v := range m {
		t, err := strconv.ParseInt(f, 10, 64)
		if err != nil || t < start {
			continue
		}
		i := int((t - start) / width)
		if i >= SeriesMaxBuckets {
			continue
		}
		for len(out.Pushed) <= i {
			out.Pushed = append(out.Pushed, 0)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		out.Pushed[i] += n
	}
	return out, nil
}
