package pushsim

import (
	"strconv"
	"testing"
	"time"
)

func TestNonceCache_Use(t *testing.T) {
	t.Run("refuses a reuse within the window", func(t *testing.T) {
		c := newNonceCache()
		now := time.Now()
		if !c.use("n", now) {
			t.Fatal("got first use refused")
		}
		if c.use("n", now.Add(NonceWindow-time.Second)) {
			t.Error("got a reuse within the window accepted")
		}
		if !c.use("n", now.Add(NonceWindow)) {
			t.Error("got a reuse after the window refused")
		}
	})
	t.Run("stays bounded at 500 calls/s", func(t *testing.T) {
		c := newNonceCache()
		start := time.Now()
		const perSecond, seconds = 500, 1800
		for i := range perSecond * seconds {
			at := start.Add(time.Duration(i) * time.Second / perSecond)
			c.use(strconv.Itoa(i), at)
		}
		if got, limit := c.len(), perSecond*int(NonceWindow/time.Second); got > limit {
			t.Errorf("got %d nonces remembered, want at most %d", got, limit)
		}
		if got, limit := cap(c.queue), 4*perSecond*int(NonceWindow/time.Second); got > limit {
			t.Errorf("got a queue of capacity %d, want at most %d", got, limit)
		}
	})
}

func TestUnescape(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"plain", "abc-1.2_3~", "abc-1.2_3~", false},
		{"plus is space", "a+b", "a b", false},
		{"escapes", "a%2Cb%2cc%E4%BD%A0", "a,b,c你", false},
		{"escaped plus", "%2B", "+", false},
		{"truncated escape", "a%2", "", true},
		{"bad hex", "%zz", "", true},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unescape(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("unescape(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
