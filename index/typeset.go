package index

import "math/bits"

// TypeSetBits is the number of event types a TypeSet holds exactly. Types at
// or above it share one overflow bit, so a set that holds any of them says
// "maybe" for all of them.
const TypeSetBits = 512

const typeWords = TypeSetBits / 64

// TypeSet is a set of event types as a bitmap. The zero value is empty.
type TypeSet struct {
	w        [typeWords]uint64
	overflow bool
}

// Add puts t in the set.
func (s *TypeSet) Add(t uint16) {
	if int(t) >= TypeSetBits {
		s.overflow = true
		return
	}
	s.w[t>>6] |= 1 << (t & 63)
}

// Has reports whether t may be in the set.
func (s *TypeSet) Has(t uint16) bool {
	if int(t) >= TypeSetBits {
		return s.overflow
	}
	return s.w[t>>6]&(1<<(t&63)) != 0
}

// Union adds every type of o to s.
func (s *TypeSet) Union(o *TypeSet) {
	for i := range s.w {
		s.w[i] |= o.w[i]
	}
	s.overflow = s.overflow || o.overflow
}

// Intersects reports whether s and o may share a type.
func (s *TypeSet) Intersects(o *TypeSet) bool {
	if s.overflow && o.overflow {
		return true
	}
	for i := range s.w {
		if s.w[i]&o.w[i] != 0 {
			return true
		}
	}
	return false
}

// Len returns the number of exact types in the set (the overflow bit not
// counted).
func (s *TypeSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// Types returns the exact types in ascending order.
func (s *TypeSet) Types() []uint16 {
	out := make([]uint16, 0, s.Len())
	for i, w := range s.w {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, uint16(i*64+b))
			w &= w - 1
		}
	}
	return out
}

// Overflow reports whether the set holds types at or above TypeSetBits.
func (s *TypeSet) Overflow() bool { return s.overflow }
