package push

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMessage_ParamsAt(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 0, 0, 500_000_000, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name   string
		msg    Message
		want   map[string]string // these parameters, with these values
		absent []string          // and not these
	}{
		{name: "defaults", msg: Message{Title: "t", Body: "b"},
			want:   map[string]string{"Title": "t", "Body": "b", "PushType": "NOTICE", "DeviceType": "ALL"},
			absent: []string{"iOSMusic", "ExpireTime", "JobKey", "StoreOffline"}},
		// The Push page: iOSMusic "" makes a silent notification; unset, the
		// system sound.
		{name: "silent iOS notification", msg: Message{Body: "b", IOS: IOSOptions{Sound: ptr("")}},
			want: map[string]string{"iOSMusic": ""}},
		{name: "iOS sound", msg: Message{Body: "b", IOS: IOSOptions{Sound: ptr("bell.caf")}},
			want: map[string]string{"iOSMusic": "bell.caf"}},
		// ExpireAfter becomes ExpireTime at the call, in UTC, to the second.
		{name: "expire after", msg: Message{Body: "b", ExpireAfter: "6h"},
			want: map[string]string{"ExpireTime": "2026-11-28T07:00:00Z"}},
		{name: "expire after rounds down", msg: Message{Body: "b", ExpireAfter: "72h"},
			want: map[string]string{"ExpireTime": "2026-12-01T01:00:00Z"}},
		{name: "expire time", msg: Message{Body: "b", ExpireTime: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
			want: map[string]string{"ExpireTime": "2026-11-29T00:00:00Z"}},
		{name: "typed and extra", msg: Message{Body: "b", StoreOffline: ptr(false), JobKey: "k",
			IOS:     IOSOptions{Badge: ptr(0), ExtParameters: map[string]string{"a": "1"}},
			Android: AndroidOptions{OpenType: "URL", OpenURL: "https://example.com"},
			Extra:   map[string]string{"AndroidNotificationBarPriority": "1"}},
			want: map[string]string{"StoreOffline": "false", "JobKey": "k", "iOSBadge": "0", "iOSExtParameters": `{"a":"1"}`,
				"AndroidOpenType": "URL", "AndroidOpenUrl": "https://example.com", "AndroidNotificationBarPriority": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.msg.ParamsAt(at)
			for k, v := range tt.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %q (set %v), want %q", k, g, ok, v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s is set to %q, want it left out", k, got[k])
				}
			}
		})
	}
	t.Run("each call gets its own expire time", func(t *testing.T) {
		m := Message{Body: "b", ExpireAfter: "1h"}
		first, later := m.ParamsAt(at)["ExpireTime"], m.ParamsAt(at.Add(5 * time.Hour))["ExpireTime"]
		if first != "2026-11-28T02:00:00Z" || later != "2026-11-28T07:00:00Z" {
			t.Errorf("ExpireTime = %s, then %s; want an hour after each call", first, later)
		}
	})
}

// TestIOSOptions_JSON: a silent notification survives the job's JSON in
// Redis, and an unset sound stays unset.
func TestIOSOptions_JSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want *string
	}{
		{"silent", `{"body":"b","ios":{"sound":""}}`, ptr("")},
		{"named", `{"body":"b","ios":{"sound":"bell.caf"}}`, ptr("bell.caf")},
		{"unset", `{"body":"b"}`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			if err := json.Unmarshal([]byte(tt.in), &m); err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(m)
			var back Message
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			got := back.IOS.Sound
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("sound after a round trip through %s = %v, want %v", out, got, tt.want)
			}
		})
	}
}

func TestMessage_ForJob(t *testing.T) {
	t.Run("the job's ID", func(t *testing.T) {
		m := Message{Body: "b"}
		if got := m.ForJob("flash-sale-2026").JobKey; got != "flash-sale-2026" {
			t.Errorf("JobKey = %q, want the job ID", got)
		}
		if m.JobKey != "" {
			t.Errorf("ForJob changed the message")
		}
	})
	t.Run("the producer's own", func(t *testing.T) {
		m := Message{Body: "b", JobKey: "campaign-7"}
		if got := m.ForJob("flash-sale-2026").JobKey; got != "campaign-7" {
			t.Errorf("JobKey = %q, want the producer's campaign-7", got)
		}
	})
}

func TestJobKeyFor(t *testing.T) {
	uuid := "0b6f1d2e-8c3a-4b5e-9d4e-5c2f9a7b3e1d"
	tests := []struct {
		name, id string
		want     string // "" checks only validity and the prefix
		prefix   string
	}{
		{name: "fits", id: "flash-sale_2026", want: "flash-sale_2026"},
		{name: "32 characters", id: strings.Repeat("a", 32), want: strings.Repeat("a", 32)},
		{name: "empty", id: "", want: ""},
		{name: "UUID", id: uuid, want: "0b6f1d2e-8c3a-4b5e-9d-4f863c9f8d"},
		{name: "UUID prefix", id: uuid, prefix: "0b6f1d2e-8c3a-4b5e-9d-"},
		{name: "dot", id: "sale.v2", prefix: "sale_v2-"},
		{name: "128 characters", id: strings.Repeat("x.", 64), prefix: strings.Repeat("x_", 10) + "x-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JobKeyFor(tt.id)
			if tt.prefix == "" {
				if got != tt.want {
					t.Errorf("JobKeyFor(%q) = %q, want %q", tt.id, got, tt.want)
				}
				return
			}
			if !ValidJobKey(got) || len(got) > MaxJobKeyLen || !strings.HasPrefix(got, tt.prefix) {
				t.Errorf("JobKeyFor(%q) = %q, want a valid key of at most %d characters starting %q", tt.id, got, MaxJobKeyLen, tt.prefix)
			}
			if again := JobKeyFor(tt.id); again != got {
				t.Errorf("JobKeyFor is not deterministic: %q, then %q", got, again)
			}
		})
	}
	t.Run("IDs that differ after the prefix", func(t *testing.T) {
		a, b := JobKeyFor(uuid), JobKeyFor(uuid[:35]+"f")
		if a == b {
			t.Errorf("JobKeyFor gives %q to two IDs", a)
		}
	})
	t.Run("IDs that differ only in the replaced character", func(t *testing.T) {
		if a, b := JobKeyFor("sale.v2"), JobKeyFor("sale_v2"); a == b {
			t.Errorf("JobKeyFor gives %q to sale.v2 and sale_v2", a)
		}
	})
}
