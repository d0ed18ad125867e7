package weights

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// maxPickleProtocol is the newest pickle protocol (Python 3.8+).
const maxPickleProtocol = 5

// pickleArg says how an opcode's argument is laid out in the stream.
type pickleArg uint8

const (
	argNone     pickleArg = iota // no argument
	argFixed                     // n bytes
	argLine                      // one '\n'-terminated line
	argTwoLines                  // two lines (GLOBAL, INST)
	argCounted                   // an n-byte little-endian length, then that many bytes
	argFrame                     // an 8-byte frame length (the frame's bytes follow as opcodes)
	argRefused                   // never needed by a weights file
)

type pickleOp struct {
	arg  pickleArg
	n    int  // size of the fixed argument or of the length field
	sign bool // the length field is signed (BINSTRING, LONG4)
}

// pickleOps describes every opcode of protocols 0-5 (Python's pickletools).
// Opcodes missing here are not pickle opcodes.
var pickleOps = map[byte]pickleOp{
	'(': {}, '.': {}, '0': {}, '1': {}, '2': {}, 'N': {}, 'Q': {}, 'R': {}, 'a': {}, 'b': {}, 'd': {},
	'}': {}, 'e': {}, 'l': {}, ']': {}, 's': {}, 't': {}, ')': {}, 'u': {},
	0x81: {}, 0x85: {}, 0x86: {}, 0x87: {}, 0x88: {}, 0x89: {}, 0x8f: {}, 0x90: {}, 0x91: {}, 0x92: {}, 0x93: {}, 0x94: {},
	'F': {arg: argLine}, 'I': {arg: argLine}, 'L': {arg: argLine}, 'P': {arg: argLine},
	'S': {arg: argLine}, 'V': {arg: argLine}, 'g': {arg: argLine}, 'p': {arg: argLine},
	'c': {arg: argTwoLines},
	'J': {arg: argFixed, n: 4}, 'K': {arg: argFixed, n: 1}, 'M': {arg: argFixed, n: 2}, 'G': {arg: argFixed, n: 8},
	'h': {arg: argFixed, n: 1}, 'j': {arg: argFixed, n: 4}, 'q': {arg: argFixed, n: 1}, 'r': {arg: argFixed, n: 4},
	0x80: {arg: argFixed, n: 1},
	'T':  {arg: argCounted, n: 4, sign: true}, 0x8b: {arg: argCounted, n: 4, sign: true},
	'X': {arg: argCounted, n: 4}, 'B': {arg: argCounted, n: 4},
	'U': {arg: argCounted, n: 1}, 'C': {arg: argCounted, n: 1}, 0x8c: {arg: argCounted, n: 1}, 0x8a: {arg: argCounted, n: 1},
	0x8d: {arg: argCounted, n: 8}, 0x8e: {arg: argCounted, n: 8}, 0x96: {arg: argCounted, n: 8},
	0x95: {arg: argFrame, n: 8},
	// Class instantiation by name, the extension registry and out-of-band
	// buffers: torch.save never writes them, and the first two are the usual
	// vehicles of malicious pickles.
	'i': {arg: argRefused}, 'o': {arg: argRefused},
	0x82: {arg: argRefused}, 0x83: {arg: argRefused}, 0x84: {arg: argRefused},
	0x97: {arg: argRefused}, 0x98: {arg: argRefused},
}

var refusedOpNames = map[byte]string{
	'i': "INST", 'o': "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
}

// Python 2 module names that gopickle resolves by itself, without asking
// our FindClass. GLOBAL names them in the stream, where the scan checks
// them; STACK_GLOBAL takes them from strings pushed earlier, so a stream
// that has STACK_GLOBAL and pushes one of these strings is refused.
var builtinBypassModules = []string{"__builtin__", "copy_reg"}

// scanPickle walks one pickle stream at the start of buf without building
// anything, and returns the offset just past its STOP opcode.
//
// It exists because the unpickler trusts the stream: a corrupt length field
// would make it allocate gigabytes (a fatal out-of-memory, not an error),
// and the legacy torch format stores several pickles back to back, so the
// end of each must be known before the next can be read. The scan checks
// every length against the bytes really there, refuses opcodes a weights
// file never needs, and checks every GLOBAL against the allow-list before
// anything is resolved.
func scanPickle(buf []byte) (end int, err error) {
	pos := 0
	sawStackGlobal := false
	bypass := ""
	for {
		if pos >= len(buf) {
			return 0, errorf(ErrTruncated, "pickle stream ends at byte %d before its STOP opcode: the file is truncated or damaged; download it again", pos)
		}
		code := buf[pos]
		op, ok := pickleOps[code]
		if !ok {
			return 0, errorf(ErrCorrupt, "corrupted pickle stream: unknown opcode 0x%02x at byte %d; the file is damaged, download it again", code, pos)
		}
		start := pos
		pos++
		switch op.arg {
		case argRefused:
			return 0, errorf(ErrUnsafePickle, "pickle opcode %s at byte %d is not allowed in a weights file (torch.save never writes it): refusing to load", refusedOpNames[code], start)
		case argFixed:
			if len(buf)-pos < op.n {
				return 0, errorf(ErrTruncated, "pickle stream ends inside the opcode at byte %d: the file is truncated or damaged; download it again", start)
			}
			if code == 0x80 && buf[pos] > maxPickleProtocol {
				return 0, errorf(ErrUnsupported, "pickle protocol %d is newer than %d", buf[pos], maxPickleProtocol)
			}
			pos += op.n
		case argLine:
			line, next, err := pickleLine(buf, pos, start)
			if err != nil {
				return 0, err
			}
			pos = next
			if code == 'S' || code == 'V' {
				bypass = firstBypass(bypass, bytes.Trim(line, `'"`))
			}
		case argTwoLines:
			module, next, err := pickleLine(buf, pos, start)
			if err != nil {
				return 0, err
			}
			name, next, err := pickleLine(buf, next, start)
			if err != nil {
				return 0, err
			}
			pos = next
			if !globalAllowed(string(module), string(name)) {
				return 0, unsafeGlobalError(string(module), string(name))
			}
		case argCounted, argFrame:
			if len(buf)-pos < op.n {
				return 0, errorf(ErrTruncated, "pickle stream ends inside the opcode at byte %d: the file is truncated or damaged; download it again", start)
			}
			var length uint64
			switch op.n {
			case 1:
				length = uint64(buf[pos])
			case 4:
				v := binary.LittleEndian.Uint32(buf[pos:])
				if op.sign && int32(v) < 0 {
					return 0, errorf(ErrCorrupt, "corrupted pickle stream: negative length at byte %d; the file is damaged, download it again", start)
				}
				length = uint64(v)
			case 8:
				length = binary.LittleEndian.Uint64(buf[pos:])
			}
			pos += op.n
			if length > uint64(len(buf)-pos) {
				return 0, errorf(ErrTruncated, "pickle opcode at byte %d needs %d bytes but only %d remain: the file is truncated or damaged; download it again", start, length, len(buf)-pos)
			}
			if op.arg == argCounted {
				if code == 'X' || code == 0x8c || code == 0x8d || code == 'U' || code == 'T' {
					bypass = firstBypass(bypass, buf[pos:pos+int(length)])
				}
				pos += int(length)
			}
		default:
			switch code {
			case '.':
				if sawStackGlobal && bypass != "" {
					return 0, unsafeGlobalError(bypass, "(name taken from the stack)")
				}
				return pos, nil
			case 0x93:
				sawStackGlobal = true
			}
		}
	}
}

// pickleLine returns the line starting at pos (without its '\n') and the
// offset after it.
func pickleLine(buf []byte, pos, opStart int) (line []byte, next int, err error) {
	i := bytes.IndexByte(buf[pos:], '\n')
	if i < 0 {
		return nil, 0, errorf(ErrTruncated, "pickle stream ends inside the text argument of the opcode at byte %d: the file is truncated or damaged; download it again", opStart)
	}
	return buf[pos : pos+i], pos + i + 1, nil
}

// firstBypass remembers the first pushed string naming a module that
// gopickle resolves without asking FindClass.
func firstBypass(seen string, s []byte) string {
	if seen != "" {
		return seen
	}
	for _, m := range builtinBypassModules {
		if string(s) == m {
			return m
		}
	}
	return ""
}

// unsafeGlobalError is the error for a global outside the allow-list.
func unsafeGlobalError(module, name string) error {
	return errorf(ErrUnsafePickle, "pickle needs global %s, which is not allowed in a weights file (torch.load(weights_only=True) refuses it too): "+
		"it was not resolved or run; the file may be malicious, or it is a whole pickled object rather than a state dict (re-save it with torch.save(model.state_dict()) or as .safetensors)",
		qualifiedName(module, name))
}

func qualifiedName(module, name string) string {
	return fmt.Sprintf("%s.%s", module, name)
}
