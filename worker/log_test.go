package worker

import (
	"testing"
	"time"
)

func TestRepeats_Note(t *testing.T) {
	r := &repeats{seen: map[string]*seen{}}
	t0 := time.Unix(1000, 0)
	msg := func(id int) string {
		return "Dequeue error: UNKNOWN: redis eval error: dial tcp: connection refused " + string(rune('a'+id))
	}
	if _, ok := r.note(msg(0), t0); !ok {
		t.Fatal("the first line was left out")
	}
	for i := 1; i <= 5; i++ {
		if _, ok := r.note(msg(i), t0.Add(time.Duration(i)*logRepeat/6)); ok {
			t.Errorf("line %d within %s of the first was logged", i, logRepeat)
		}
	}
	left, ok := r.note(msg(6), t0.Add(logRepeat))
	if !ok || left != 5 {
		t.Errorf("after %s: logged %v with %d left out, want logged with 5", logRepeat, ok, left)
	}
	if _, ok := r.note("Could not move task to the retry set", t0.Add(logRepeat)); !ok {
		t.Error("another kind of line was left out")
	}
}
