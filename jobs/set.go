package jobs

import "hash/maphash"

// targetSet is a set of target values packed in an arena: each value takes
// its bytes plus one, and about 5 bytes of index, where a map[string]
// struct{} takes some 50 more. EnqueueSeq dedupes with it, so that staging
// a million targets holds about their own bytes once. Values are at most
// 255 bytes (ValidateValue allows 128).
type targetSet struct {
	seed   maphash.Seed
	blocks [][]byte // the arena: each value as a length byte, then its bytes
	slots  []uint32 // open addressing: 0 is empty, else a value's ref+1
	n      int
}

// setBlockBits sizes the arena's blocks: 1 MiB, so that a ref (block <<
// setBlockBits | offset) fits a uint32 up to 4 GiB of values.
const setBlockBits = 20

func newTargetSet() *targetSet {
	return &targetSet{seed: maphash.MakeSeed(), slots: make([]uint32, 1024)}
}

// len returns the number of values in the set.
func (s *targetSet) len() int { return s.n }

// add puts v in the set and reports whether it was not there.
func (s *targetSet) add(v string) bool {
	i := s.find(v)
	if s.slots[i] != 0 {
		return false
	}
	s.slots[i] = s.store(v) + 1
	s.n++
	if 4*s.n >= 3*len(s.slots) {
		s.grow()
	}
	return true
}

// find returns the slot of v, or the empty slot where it would go.
func (s *targetSet) find(v string) int {
	mask := len(s.slots) - 1
	for i := int(maphash.String(s.seed, v)) & mask; ; i = (i + 1) & mask {
		ref := s.slots[i]
		if ref == 0 || string(s.value(ref-1)) == v {
			return i
		}
	}
}

// store appends v to the arena and returns its ref.
func (s *targetSet) store(v string) uint32 {
	last := len(s.blocks) - 1
	if last < 0 || len(s.blocks[last])+1+len(v) > cap(s.blocks[last]) {
		s.blocks = append(s.blocks, make([]byte, 0, 1<<setBlockBits))
		last++
	}
	b := s.blocks[last]
	ref := uint32(last)<<setBlockBits | uint32(len(b))
	b = append(b, byte(len(v)))
	s.blocks[last] = append(b, v...)
	return ref
}

// value returns the bytes of the value at ref.
func (s *targetSet) value(ref uint32) []byte {
	b := s.blocks[ref>>setBlockBits]
	off := int(ref & (1<<setBlockBits - 1))
	return b[off+1 : off+1+int(b[off])]
}

// grow doubles the index and places every value again.
func (s *targetSet) grow() {
	old := s.slots
	s.slots = make([]uint32, 2*len(old))
	mask := len(s.slots) - 1
	for _, ref := range old {
		if ref == 0 {
			continue
		}
		i := int(maphash.Bytes(s.seed, s.value(ref-1))) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = ref
	}
}
