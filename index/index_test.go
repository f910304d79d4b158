package index

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// sameBlock compares two entries, Comms by content.
func sameBlock(a, b BlockInfo) bool {
	if !slices.Equal(a.Comms, b.Comms) {
		return false
	}
	a.Comms, b.Comms = nil, nil
	return reflect.DeepEqual(a, b)
}

func TestSelect(t *testing.T) {
	var ix Index
	for i := 0; i < 100; i++ {
		b := BlockInfo{Seq: uint64(i), FirstTs: uint64(i * 100), LastTs: uint64(i*100 + 99), Count: 10}
		b.Types.Add(uint16(i % 4))
		ix.Blocks = append(ix.Blocks, b)
	}
	var exec TypeSet
	exec.Add(2)
	tests := []struct {
		name string
		sel  Selection
		want int
	}{
		{"all", Selection{}, 100},
		{"time", Selection{Since: 1050, Until: 1249}, 3},
		{"since", Selection{Since: 9900}, 1},
		{"type", Selection{Types: &exec}, 25},
		{"both", Selection{Since: 200, Until: 999, Types: &exec}, 2},
		{"none", Selection{Since: 20000}, 0},
	}
	for _, tt := range tests {
		if got := len(ix.Select(nil, tt.sel)); got != tt.want {
			t.Errorf("%s: %d blocks, want %d", tt.name, got, tt.want)
		}
	}
	ix.Blocks[3].Flags = FlagCorrupt
	if got := len(ix.Select(nil, Selection{})); got != 99 {
		t.Errorf("corrupt block selected")
	}
}

func TestSelectComms(t *testing.T) {
	ix := Index{Comms: []string{"bash", "curl", "sshd"}}
	for _, ids := range [][]uint32{{0}, {0, 1}, {2}, {}} {
		ix.Blocks = append(ix.Blocks, BlockInfo{Count: 1, Comms: ids})
	}
	tests := []struct {
		comms []string
		want  []int
	}{
		{nil, []int{0, 1, 2, 3}},
		{[]string{"curl"}, []int{1}},
		{[]string{"bash", "sshd"}, []int{0, 1, 2}},
		{[]string{"nothing"}, nil},
		{[]string{}, nil},
	}
	for _, tt := range tests {
		if got := ix.Select(nil, Selection{Comms: tt.comms}); !slices.Equal(got, tt.want) {
			t.Errorf("comms %q: blocks %v, want %v", tt.comms, got, tt.want)
		}
	}
	// Without a summary nothing is skipped by name.
	ix.Comms = nil
	if got := ix.Select(nil, Selection{Comms: []string{"nothing"}}); len(got) != 4 {
		t.Errorf("no summary: blocks %v", got)
	}
}

func TestDecodeVersion1(t *testing.T) {
	ix := Index{Blocks: []BlockInfo{{Offset: 10, Size: 5, Count: 2, FirstTs: 3, LastTs: 4}}}
	enc := ix.Append(nil)
	// A version 1 body is a version 2 body without the name section.
	v1 := append([]byte{1}, enc[1:len(enc)-1]...)
	got, err := Decode(v1)
	if err != nil || len(got.Blocks) != 1 || got.Comms != nil {
		t.Fatalf("version 1: %+v, %v", got, err)
	}
}

func TestTypeSet(t *testing.T) {
	var s TypeSet
	for _, v := range []uint16{0, 63, 64, 511, 293} {
		s.Add(v)
	}
	if !s.Has(511) || s.Has(1) || s.Len() != 5 || s.Overflow() {
		t.Fatalf("set %v", s.Types())
	}
	s.Add(1000)
	if !s.Has(2000) || !s.Overflow() {
		t.Fatal("overflow types")
	}
	var o TypeSet
	o.Add(64)
	if !s.Intersects(&o) {
		t.Fatal("intersects")
	}
}

func TestEncodeDecode(t *testing.T) {
	var ix Index
	for i := 0; i < 10; i++ {
		b := BlockInfo{Offset: int64(i * 1000), Size: 999, RawSize: 5000, Seq: uint64(i), FirstNum: uint64(i*10 + 1),
			Count: 10, FirstTs: uint64(i * 100), LastTs: uint64(i*100 + 50)}
		b.Types.Add(uint16(i * 40))
		b.Digest[0] = byte(i)
		if i == 9 {
			b.Types.Add(700)
			b.Flags = FlagCorrupt
		}
		b.Comms = []uint32{uint32(i % 3), 3}
		ix.Blocks = append(ix.Blocks, b)
	}
	ix.Comms = []string{"bash", "", "curl", "<NA>"}
	got, err := Decode(ix.Append(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Comms, ix.Comms) {
		t.Fatalf("names %q, want %q", got.Comms, ix.Comms)
	}
	for i := range ix.Blocks {
		if !sameBlock(got.Blocks[i], ix.Blocks[i]) {
			t.Fatalf("entry %d: %+v, want %+v", i, got.Blocks[i], ix.Blocks[i])
		}
	}
	enc := ix.Append(nil)
	for n := 0; n < len(enc); n++ {
		if _, err := Decode(enc[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", n, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	var ix Index
	b := BlockInfo{Offset: 10, Size: 5, Count: 2, FirstTs: 3, LastTs: 4}
	b.Types.Add(5)
	ix.Blocks = append(ix.Blocks, b, b)
	f.Add(ix.Append(nil))
	ix.Comms = []string{"bash", "curl"}
	ix.Blocks[0].Comms = []uint32{0, 1}
	ix.Blocks[1].Comms = []uint32{1}
	f.Add(ix.Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		if err != nil {
			return
		}
		// What decodes re-encodes to an encoding of the same index.
		again, err := Decode(got.Append(nil))
		if err != nil || len(again.Blocks) != len(got.Blocks) {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		for i := range got.Blocks {
			if !sameBlock(again.Blocks[i], got.Blocks[i]) {
				t.Fatalf("entry %d changed in the round trip", i)
			}
		}
	})
}
