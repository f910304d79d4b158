package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// checkCursor compares a cursor's values at rows (in the order given) with
// the whole-column decoder's.
func checkCursor(t *testing.T, name string, vals []int64, rows []int) {
	t.Helper()
	data, enc := appendInts(nil, vals, nil)
	want, err := decodeInts(nil, enc, data, len(vals))
	if err != nil {
		t.Fatalf("%s: decodeInts: %v", name, err)
	}
	var c intCursor
	if !c.reset(enc, data, len(vals)) {
		t.Fatalf("%s: reset refused encoding %d", name, enc)
	}
	for _, r := range rows {
		got, ok := c.at(r)
		if !ok || got != want[r] {
			t.Fatalf("%s (encoding %d): row %d = %d, %v; want %d", name, enc, r, got, ok, want[r])
		}
	}
}

func TestIntCursor(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	gen := map[string]func(i int) int64{
		"small":      func(int) int64 { return rng.Int64N(64) - 32 },
		"one byte":   func(int) int64 { return rng.Int64N(128) - 64 },
		"mixed":      func(int) int64 { return rng.Int64N(1 << uint(rng.IntN(40))) },
		"extremes":   func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1, 63, -64, 64}[i%7] },
		"ascending":  func(i int) int64 { return int64(i*3) + rng.Int64N(3) },
		"timestamps": func(i int) int64 { return 1_700_000_000_000_000_000 + int64(i)*1000 + rng.Int64N(900) },
		"constant":   func(int) int64 { return 42 },
		"arithmetic": func(i int) int64 { return 7 - int64(i)*5 },
		"mostly 0":   func(int) int64 { return map[bool]int64{true: rng.Int64N(1 << 20)}[rng.IntN(50) == 0] },
		// Dictionaries: a few fds, many threads (two-byte indexes).
		"few values":  func(int) int64 { return 1000 + 7*rng.Int64N(40) },
		"many values": func(int) int64 { return -(1 << 40) + 1000*rng.Int64N(3000) },
	}
	for name, g := range gen {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = g(i)
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		checkCursor(t, name+"/every row", vals, all)
		var sparse []int
		for i := 0; i < n; i += 1 + rng.IntN(40) {
			sparse = append(sparse, i)
		}
		checkCursor(t, name+"/sparse", vals, sparse)
		// Going back starts over; the last row alone.
		checkCursor(t, name+"/back and forth", vals, []int{n - 1, 3, 2, n / 2, 0, n - 1})
		// A row read again (a filter's pass, then the event's) is kept.
		checkCursor(t, name+"/again", vals, []int{5, 5, 6, 6, 40, 40, n - 1, n - 1})
	}
}

// appendInts picks each encoding for the values it suits, and every
// encoding decodes back to the values.
func TestAppendIntsEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 70000
	gen := func(f func(i int) int64) []int64 {
		v := make([]int64, n)
		for i := range v {
			v[i] = f(i)
		}
		return v
	}
	for _, tc := range []struct {
		name  string
		vals  []int64
		enc   byte
		width int // encIntDict: bytes per index
	}{
		{"constant", gen(func(int) int64 { return -3 }), encConst, 0},
		{"event numbers", gen(func(i int) int64 { return 1e6 + int64(i) }), encArith, 0},
		{"cpus", gen(func(int) int64 { return rng.Int64N(8) }), encVarint, 0},
		{"fds", gen(func(int) int64 { return 100 + rng.Int64N(60) }), encIntDict, 1},
		{"threads", gen(func(int) int64 { return 4_000_000 + rng.Int64N(1100) }), encIntDict, 2},
		{"timestamps", gen(func(i int) int64 { return 1.7e18 + int64(i)*900 + rng.Int64N(400) }), encDelta, 0},
		{"two ranges", gen(func(i int) int64 { return int64(i%2)*100000 + rng.Int64N(4000) }), encVarint, 0},
	} {
		data, enc := appendInts(nil, tc.vals, nil)
		if enc != tc.enc {
			t.Errorf("%s: encoding %d, want %d", tc.name, enc, tc.enc)
			continue
		}
		if enc == encIntDict {
			tbl, idx, err := intDictTable(nil, data, n)
			if err != nil || len(idx) != tc.width*n {
				t.Errorf("%s: dictionary of %d values, %d index bytes, %v; want %d per value", tc.name, len(tbl), len(idx), err, tc.width)
			}
		}
		got, err := decodeInts(nil, enc, data, n)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range got {
			if got[i] != tc.vals[i] {
				t.Fatalf("%s: value %d = %d, want %d", tc.name, i, got[i], tc.vals[i])
			}
		}
	}
}

// A dictionary column whose indexes point past its values, or whose
// table or indexes are cut short, is refused by both readers.
func TestIntDictCorrupt(t *testing.T) {
	vals := []int64{500, 900, 500, 700, 900, 500, 700, 700, 900, 500, 700, 500}
	n := len(vals)
	data, enc := appendInts(nil, vals, nil)
	if enc != encIntDict {
		t.Fatalf("encoding %d", enc)
	}
	bad := append([]byte(nil), data...)
	bad[len(bad)-1] = 3 // the table has 3 values
	for name, col := range map[string][]byte{"index past the table": bad, "cut": data[:len(data)-1], "no table": data[:2]} {
		if _, err := decodeInts(nil, enc, col, n); err == nil {
			t.Errorf("%s: decodeInts accepted it", name)
		}
		var c intCursor
		ok := c.reset(enc, col, n)
		for r := range n {
			_, ok2 := c.at(r)
			ok = ok && ok2
		}
		if ok {
			t.Errorf("%s: the cursor read every row", name)
		}
	}
}

// A column whose bytes end early gives false, never a panic.
func TestIntCursorTruncated(t *testing.T) {
	vals := make([]int64, 100)
	for i := range vals {
		vals[i] = int64(i * i)
	}
	data, enc := appendInts(nil, vals, nil)
	var c intCursor
	c.reset(enc, data[:len(data)/2], len(vals))
	if _, ok := c.at(99); ok {
		t.Fatal("row 99 of a truncated column read")
	}
}

// FuzzIntCursor: any column bytes read through a cursor give the values
// the whole-column decoder gives, or a refusal, never a panic.
func FuzzIntCursor(f *testing.F) {
	f.Add(byte(encDelta), []byte{2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 0x81, 1}, uint16(12), uint16(5))
	f.Add(byte(encVarint), []byte{0x80, 0x80, 1, 5, 7, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0}, uint16(11), uint16(1))
	f.Add(byte(encArith), []byte{10, 3}, uint16(100), uint16(7))
	f.Add(byte(encIntDict), []byte{3, 0x80, 0x10, 2, 4, 0, 1, 2, 2, 1, 0, 3}, uint16(7), uint16(2))
	many := binary.AppendUvarint(nil, 300)
	for range 300 {
		many = binary.AppendVarint(many, 5)
	}
	many = append(many, 0, 0, 0x2b, 1, 0x2c, 1, 1, 0)
	f.Add(byte(encIntDict), many, uint16(4), uint16(1))
	f.Fuzz(func(t *testing.T, enc byte, data []byte, n, stride uint16) {
		if n == 0 {
			return
		}
		var c intCursor
		if !c.reset(enc, data, int(n)) {
			return
		}
		want, err := decodeInts(nil, enc, data, int(n))
		step := int(stride%64) + 1
		for r := 0; r < int(n); r += step {
			got, ok := c.at(r)
			if err == nil && (!ok || got != want[r]) {
				t.Fatalf("row %d: %d, %v; want %d", r, got, ok, want[r])
			}
			if !ok {
				return
			}
		}
	})
}

// BenchmarkIntCursor reads every gap-th row of a 64K-row column through a
// cursor: every row (a chisel's pass), every 14th (printing the matches of
// a filter that keeps 7% of the events), every 200th. Timestamps are delta
// varints of one and two bytes.
func BenchmarkIntCursor(b *testing.B) {
	const n = 1 << 16
	for _, tc := range benchColumns(n, "timestamps", "tids", "one byte") {
		data, enc := tc.data, tc.enc
		for _, gap := range []int{1, 14, 200} {
			b.Run(fmt.Sprintf("%s/gap=%d", tc.name, gap), func(b *testing.B) {
				var c intCursor
				for b.Loop() {
					c.reset(enc, data, n)
					for r := 0; r < n; r += gap {
						if _, ok := c.at(r); !ok {
							b.Fatal("bad column")
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64((n+gap-1)/gap), "ns/read")
			})
		}
	}
}

// TestSumWord checks the word-at-a-time sum against one varint at a time
// on words of one- and two-byte varints, and that it refuses longer ones.
func TestSumWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		var buf []byte
		for len(buf) < 12 {
			v := rng.Int64N(1<<uint(rng.IntN(16))) - rng.Int64N(1<<uint(rng.IntN(16)))
			buf = binary.AppendVarint(buf, v)
		}
		w := binary.LittleEndian.Uint64(buf)
		n, size, sum, ok := sumWord(w)
		// The reference: decode the varints that end within 8 bytes.
		var want int64
		off, cnt, long := 0, 0, false
		for off < 8 {
			v, m := binary.Varint(buf[off:])
			if off+m > 8 {
				break
			}
			if m > 2 {
				long = true
			}
			want += v
			off += m
			cnt++
		}
		fits := off > 0 && !long
		if ok != fits {
			t.Fatalf("% x: ok = %v, want %v", buf[:8], ok, fits)
		}
		if ok && (n != cnt || size != off || sum != want) {
			t.Fatalf("% x: n, size, sum = %d, %d, %d; want %d, %d, %d", buf[:8], n, size, sum, cnt, off, want)
		}
	}
}

// BenchmarkDecodeInts decodes a 64K-row column whole, as Block.Whole and
// the chisels do: per value, for delta columns of one- to three-byte
// varints and for plain ones.
func BenchmarkDecodeInts(b *testing.B) {
	const n = 1 << 16
	for _, tc := range benchColumns(n, "timestamps", "timestamps-wide", "tids", "ports") {
		data, enc := tc.data, tc.enc
		b.Run(tc.name, func(b *testing.B) {
			dst := make([]int64, n)
			for b.Loop() {
				if _, err := decodeInts(dst, enc, data, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
			b.ReportMetric(float64(len(data))/n, "bytes/value")
		})
	}
}

// benchColumn is an encoded integer column of benchColumns.
type benchColumn struct {
	name string
	data []byte
	enc  byte
}

// benchColumns encodes n values of each named kind, as the writer would:
// timestamps (delta varints of one and two bytes), timestamps-wide (of two
// and three), tids (a few threads), one byte, ports.
func benchColumns(n int, names ...string) []benchColumn {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(i int) int64{
		"timestamps":      func(i int) int64 { return 1_700_000_000_000_000_000 + int64(i)*900 + rng.Int64N(400) },
		"timestamps-wide": func(i int) int64 { return 1_700_000_000_000_000_000 + int64(i)*30000 + rng.Int64N(40000) },
		"tids":            func(i int) int64 { return 1000 + rng.Int64N(20) },
		"one byte":        func(int) int64 { return rng.Int64N(60) },
		"ports":           func(int) int64 { return 1024 + rng.Int64N(60000) },
	}
	var cols []benchColumn
	for _, name := range names {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = gens[name](i)
		}
		data, enc := appendInts(nil, vals, nil)
		cols = append(cols, benchColumn{name, data, enc})
	}
	return cols
}

// Dictionary byte columns: fd names take fixed-width indexes up to 1<<16
// entries (one byte up to 256), and both widths, like the varint
// indexes beyond, decode back to the values; an index past the entries
// is refused.
func TestFixDictColumn(t *testing.T) {
	for _, tc := range []struct {
		distinct int
		enc      byte
		width    int
	}{{3, encFixDict, 1}, {256, encFixDict, 1}, {257, encFixDict, 2}, {70000, encDict, 0}} {
		var vals byteValues
		n := max(2*tc.distinct, 1000)
		for i := range n {
			vals.add([]byte(fmt.Sprintf("/etc/file%d", (i*11)%tc.distinct)))
		}
		var s dictScratch
		data, enc := appendBytes(nil, &vals, true, &s)
		if enc != tc.enc {
			t.Fatalf("%d entries: encoding %d, want %d", tc.distinct, enc, tc.enc)
		}
		var c ByteColumn
		if err := decodeBytes(&c, enc, data, n); err != nil {
			t.Fatalf("%d entries: %v", tc.distinct, err)
		}
		if m, ok := c.Dict(); !ok || m != tc.distinct || c.fixWidth != tc.width {
			t.Fatalf("%d entries: dictionary of %d (%v), width %d", tc.distinct, m, ok, c.fixWidth)
		}
		for i := range n {
			if !bytes.Equal(c.Value(i), vals.at(i)) || !bytes.Equal(c.Entry(c.Index(i)), vals.at(i)) {
				t.Fatalf("%d entries: value %d = %q, want %q", tc.distinct, i, c.Value(i), vals.at(i))
			}
		}
		if enc == encFixDict {
			bad := append([]byte(nil), data...)
			bad[len(bad)-1] = 0xff // past 3 entries; past 257 as the high byte
			if tc.distinct == 256 {
				continue // every byte names an entry
			}
			if err := decodeBytes(&c, enc, bad, n); err == nil {
				t.Errorf("%d entries: an index past them was accepted", tc.distinct)
			}
		}
	}
}

// anyByteAbove agrees with a byte-at-a-time comparison.
func TestAnyByteAbove(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100000; i++ {
		p := make([]byte, rng.IntN(20))
		top := byte(rng.IntN(256))
		for k := range p {
			p[k] = byte(rng.IntN(int(top) + 1))
		}
		if len(p) > 0 && rng.IntN(2) == 0 {
			p[rng.IntN(len(p))] = byte(rng.IntN(256))
		}
		n := byte(rng.IntN(256))
		want := false
		for _, b := range p {
			want = want || b > n
		}
		if got := anyByteAbove(p, n); got != want {
			t.Fatalf("% x above %d: %v, want %v", p, n, got, want)
		}
	}
}
