package format

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// zstd frame magics (RFC 8878) and the seekable format's (zstd contrib
// seekable_format/zstd_seekable_compression_format.md).
const (
	zstdMagic           = 0xFD2FB528
	skippableMagicBase  = 0x184D2A50 // ..0x184D2A5F
	metaMagic           = skippableMagicBase + 0
	seekTableMagic      = skippableMagicBase + 0xE
	seekableFooterMagic = 0x8F92EAB1
	seekFooterSize      = 9
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Frame kinds of metadata frames.
var (
	kindHeader   = [4]byte{'F', 'H', 'D', 'R'}
	kindSnapshot = [4]byte{'S', 'N', 'A', 'P'}
	kindProcs    = [4]byte{'P', 'R', 'O', 'C'}
	kindFooter   = [4]byte{'I', 'N', 'D', 'X'}
	kindMarker   = [4]byte{'B', 'M', 'R', 'K'}
)

const (
	metaCompressed = 1 << 0
	metaPrefix     = 4 + 1 + 4 // kind, flags, crc32c
)

// appendMeta appends a metadata frame: a skippable frame whose payload is
//
//	kind[4] flags u8 crc32c(body) u32 body
//
// with body zstd-compressed when flags has metaCompressed.
func appendMeta(dst []byte, kind [4]byte, flags byte, body []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, metaMagic)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(metaPrefix+len(body)))
	dst = append(dst, kind[:]...)
	dst = append(dst, flags)
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(body, castagnoli))
	return append(dst, body...)
}

// frameKind classifies a frame found in a file.
type frameKind uint8

const (
	frameData frameKind = iota + 1 // a zstd frame: an event block
	frameMeta                      // our metadata frame
	frameSkip                      // another skippable frame (seek table or foreign)
)

// frameInfo is a frame located by walking a file.
type frameInfo struct {
	Kind    frameKind
	Offset  int64
	Size    int64 // total bytes of the frame
	Magic   uint32
	Content int64 // declared content size of a data frame, -1 if absent
}

// maxFrameSize bounds any one frame; blocks are far smaller.
const maxFrameSize = 1 << 30

// scanFrame parses the frame at off without decompressing it. It needs only
// the frame headers: for a zstd frame it walks the block headers.
func scanFrame(r io.ReaderAt, off, fileSize int64) (frameInfo, error) {
	var hdr [18]byte
	n, err := r.ReadAt(hdr[:], off)
	if n < 8 {
		if err == nil || err == io.EOF {
			err = ErrTruncated
		}
		return frameInfo{}, err
	}
	magic := binary.LittleEndian.Uint32(hdr[0:4])
	fi := frameInfo{Offset: off, Magic: magic, Content: -1}
	switch {
	case magic&0xFFFFFFF0 == skippableMagicBase:
		size := int64(binary.LittleEndian.Uint32(hdr[4:8]))
		fi.Size = 8 + size
		fi.Kind = frameSkip
		if magic == metaMagic {
			fi.Kind = frameMeta
		}
		if off+fi.Size > fileSize {
			return fi, ErrTruncated
		}
		return fi, nil
	case magic == zstdMagic:
	default:
		return fi, fmt.Errorf("%w: no frame magic (found %#08x)", ErrCorrupt, magic)
	}
	fi.Kind = frameData
	desc := hdr[4]
	if desc&0x08 != 0 {
		return fi, fmt.Errorf("%w: reserved bit set in zstd frame header", ErrCorrupt)
	}
	single := desc&0x20 != 0
	pos := 5
	if !single {
		pos++ // window descriptor
	}
	pos += [4]int{0, 1, 2, 4}[desc&3] // dictionary id
	fcsSize := [4]int{0, 2, 4, 8}[desc>>6]
	if fcsSize == 0 && single {
		fcsSize = 1
	}
	if pos+fcsSize > n {
		return fi, ErrTruncated
	}
	switch fcsSize {
	case 1:
		fi.Content = int64(hdr[pos])
	case 2:
		fi.Content = int64(binary.LittleEndian.Uint16(hdr[pos:])) + 256
	case 4:
		fi.Content = int64(binary.LittleEndian.Uint32(hdr[pos:]))
	case 8:
		fi.Content = int64(binary.LittleEndian.Uint64(hdr[pos:]))
	}
	pos += fcsSize
	cur := off + int64(pos)
	var bh [3]byte
	for {
		if cur+3 > fileSize {
			return fi, ErrTruncated
		}
		if _, err := r.ReadAt(bh[:], cur); err != nil {
			return fi, ErrTruncated
		}
		v := uint32(bh[0]) | uint32(bh[1])<<8 | uint32(bh[2])<<16
		last := v&1 != 0
		btype := (v >> 1) & 3
		bsize := int64(v >> 3)
		cur += 3
		switch btype {
		case 0, 2: // raw, compressed
			cur += bsize
		case 1: // RLE
			cur++
		default:
			return fi, fmt.Errorf("%w: reserved zstd block type", ErrCorrupt)
		}
		if bsize > 1<<17 {
			return fi, fmt.Errorf("%w: zstd block of %d bytes", ErrCorrupt, bsize)
		}
		if cur-off > maxFrameSize {
			return fi, fmt.Errorf("%w: frame over %d bytes", ErrLimit, maxFrameSize)
		}
		if last {
			break
		}
	}
	if desc&0x04 != 0 {
		cur += 4
	}
	if cur > fileSize {
		return fi, ErrTruncated
	}
	fi.Size = cur - off
	return fi, nil
}

// seekEntry is one entry of the seek table.
type seekEntry struct {
	Compressed   uint32
	Decompressed uint32
}

// appendSeekTable appends the zstd seekable-format seek table that lists
// every frame before it (data frames with their content size, skippable
// frames with size 0), without checksums.
func appendSeekTable(dst []byte, entries []seekEntry) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, seekTableMagic)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(entries)*8+seekFooterSize))
	for _, e := range entries {
		dst = binary.LittleEndian.AppendUint32(dst, e.Compressed)
		dst = binary.LittleEndian.AppendUint32(dst, e.Decompressed)
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(entries)))
	dst = append(dst, 0) // descriptor: no checksums
	return binary.LittleEndian.AppendUint32(dst, seekableFooterMagic)
}

// readSeekTable reads the seek table at the end of a file. It returns the
// entries and the table's offset.
func readSeekTable(r io.ReaderAt, size int64) ([]seekEntry, int64, error) {
	if size < seekFooterSize+8 {
		return nil, 0, ErrNoFooter
	}
	var foot [seekFooterSize]byte
	if _, err := r.ReadAt(foot[:], size-seekFooterSize); err != nil {
		return nil, 0, err
	}
	if binary.LittleEndian.Uint32(foot[5:]) != seekableFooterMagic {
		return nil, 0, ErrNoFooter
	}
	if foot[4]&0x80 != 0 || foot[4]&0x7C != 0 {
		return nil, 0, fmt.Errorf("%w: seek table descriptor %#x", ErrCorrupt, foot[4])
	}
	n := int64(binary.LittleEndian.Uint32(foot[0:4]))
	tableOff := size - seekFooterSize - n*8 - 8
	if n > maxFrameSize/8 || tableOff < 0 {
		return nil, 0, fmt.Errorf("%w: seek table of %d entries", ErrCorrupt, n)
	}
	buf := make([]byte, 8+n*8)
	if _, err := r.ReadAt(buf, tableOff); err != nil {
		return nil, 0, err
	}
	if binary.LittleEndian.Uint32(buf[0:4]) != seekTableMagic ||
		int64(binary.LittleEndian.Uint32(buf[4:8])) != n*8+seekFooterSize {
		return nil, 0, fmt.Errorf("%w: seek table frame header", ErrCorrupt)
	}
	entries := make([]seekEntry, n)
	for i := range entries {
		p := buf[8+i*8:]
		entries[i] = seekEntry{binary.LittleEndian.Uint32(p), binary.LittleEndian.Uint32(p[4:])}
	}
	return entries, tableOff, nil
}

func crc32Checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
