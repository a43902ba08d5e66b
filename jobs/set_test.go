package jobs

import (
	"strconv"
	"strings"
	"testing"
)

func TestTargetSet_Add(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   []bool
	}{
		{"distinct", []string{"a", "b", "c"}, []bool{true, true, true}},
		{"repeats", []string{"a", "b", "a", "b", "c", "a"}, []bool{true, true, false, false, true, false}},
		{"prefixes", []string{"ab", "a", "abc", "a"}, []bool{true, true, true, false}},
		{"longest value", []string{strings.Repeat("x", 255), strings.Repeat("x", 254), strings.Repeat("x", 255)}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTargetSet()
			for i, v := range tt.values {
				if got := s.add(v); got != tt.want[i] {
					t.Errorf("add(%q) #%d = %v, want %v", v[:min(len(v), 8)], i, got, tt.want[i])
				}
			}
		})
	}
}

// TestTargetSet_Grow adds enough values to grow the index many times and
// fill several arena blocks, then checks each is found once.
func TestTargetSet_Grow(t *testing.T) {
	const n = 200_000
	s := newTargetSet()
	value := func(i int) string { return "device-" + strconv.Itoa(i) + strings.Repeat("x", i%90) }
	for i := range n {
		if !s.add(value(i)) {
			t.Fatalf("add(%d) = false for a new value", i)
		}
	}
	for i := range n {
		if s.add(value(i)) {
			t.Fatalf("add(%d) = true for a value already added", i)
		}
	}
	if s.len() != n || len(s.blocks) < 2 {
		t.Errorf("len = %d in %d blocks, want %d in several", s.len(), len(s.blocks), n)
	}
}
