package scap

// Block type ids (libscap scap_savefile.h). The _INT ids are pre-release
// numbers that libscap still accepts.
const (
	BlockSHB = 0x0A0D0D0A // section header block (the pcapng id)

	BlockMI    = 0x00000201 // machine info
	BlockMIInt = 0x8002ABCD

	BlockPLV1    = 0x00000202 // process list, versions 1 to 9
	BlockPLV1Int = 0x8000ABCD
	BlockPLV2    = 0x00000207
	BlockPLV2Int = 0x8013ABCD
	BlockPLV3    = 0x00000209
	BlockPLV3Int = 0x8014ABCD
	BlockPLV4    = 0x00000210
	BlockPLV5    = 0x00000211
	BlockPLV6    = 0x00000212
	BlockPLV7    = 0x00000213
	BlockPLV8    = 0x00000214
	BlockPLV9    = 0x00000215

	BlockFDL    = 0x00000203 // fd list of one thread
	BlockFDLInt = 0x8001ABCD
	BlockFDLV2  = 0x00000218

	BlockIL    = 0x00000205 // interface list
	BlockILInt = 0x8011ABCD
	BlockILV2  = 0x00000219

	BlockUL    = 0x00000206 // user and group list
	BlockULInt = 0x8012ABCD
	BlockULV2  = 0x00000220

	BlockEV           = 0x00000204 // event, v1 header (no nparams)
	BlockEVInt        = 0x8010ABCD
	BlockEVF          = 0x00000208 // event, v1 header, with flags
	BlockEVV2         = 0x00000216 // event, v2 header
	BlockEVFV2        = 0x00000217 // event, v2 header, with flags
	BlockEVV2Large    = 0x00000221 // event, v2 header, u32 parameter lengths
	BlockEVFV2Large   = 0x00000222 // the same with flags
	shbMagic          = 0x1A2B3C4D
	shbMagicSwapped   = 0x4D3C2B1A
	currentMajor      = 1
	currentMinor      = 2
	maxBlockLen       = 256 << 20 // any block
	maxEventBlockBody = 64 << 10  // block_total_length - 8 of a non-LARGE event block (READER_BUF_SIZE)
)

// BlockKind says which family of event block an event came from.
type BlockKind uint8

const (
	KindV1    BlockKind = 1 // EV, EV_INT, EVF: v1 header, nparams recovered
	KindV2    BlockKind = 2 // EV_V2, EVF_V2: v2 header, u16 parameter lengths
	KindLarge BlockKind = 3 // EV_V2_LARGE, EVF_V2_LARGE: u32 parameter lengths
)

func (k BlockKind) String() string {
	switch k {
	case KindV1:
		return "v1"
	case KindV2:
		return "v2"
	case KindLarge:
		return "large"
	}
	return "unknown"
}

// eventBlock describes an event block id: its kind and whether it carries
// a flags word. ok is false for any other id.
func eventBlock(id uint32) (kind BlockKind, flags bool, ok bool) {
	switch id {
	case BlockEV, BlockEVInt:
		return KindV1, false, true
	case BlockEVF:
		return KindV1, true, true
	case BlockEVV2:
		return KindV2, false, true
	case BlockEVFV2:
		return KindV2, true, true
	case BlockEVV2Large:
		return KindLarge, false, true
	case BlockEVFV2Large:
		return KindLarge, true, true
	}
	return 0, false, false
}

// plVersion returns the process-list layout version (1..9) of a block id,
// or 0 when id is not a process list.
func plVersion(id uint32) int {
	switch id {
	case BlockPLV1, BlockPLV1Int:
		return 1
	case BlockPLV2, BlockPLV2Int:
		return 2
	case BlockPLV3, BlockPLV3Int:
		return 3
	case BlockPLV4:
		return 4
	case BlockPLV5:
		return 5
	case BlockPLV6:
		return 6
	case BlockPLV7:
		return 7
	case BlockPLV8:
		return 8
	case BlockPLV9:
		return 9
	}
	return 0
}

// roundup4 rounds n up to a multiple of 4.
func roundup4(n int) int { return (n + 3) &^ 3 }
