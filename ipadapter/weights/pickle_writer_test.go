package weights_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
)

// A minimal pickle writer, enough to build the checkpoints torch.save
// writes (and broken or malicious ones) inside tests, since no torch is
// available here. Values are described with the node types below and
// encoded with protocol 2 opcodes as torch does; proto4 switches strings and
// globals to the protocol 4 forms (SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE).

type pyGlobal struct{ module, name string }

// pyReduce is callable(*args).
type pyReduce struct {
	fn   any
	args pyTuple
}

// pyPersID is a persistent id (BINPERSID of the tuple).
type pyPersID pyTuple

type pyTuple []any

type pyList []any

// pyDict keeps insertion order, as Python dicts do.
type pyDict []pyItem

type pyItem struct {
	k, v any
}

// pyRaw is inserted into the stream as is.
type pyRaw []byte

// pyOrderedDict is collections.OrderedDict, as a torch state_dict() is.
type pyOrderedDict []pyItem

type pickleWriter struct {
	buf    bytes.Buffer
	proto4 bool
	// hook may replace a value before it is encoded (tensor nodes).
	hook func(v any) (any, bool)
}

func encodePickle(v any, proto4 bool) []byte {
	return encodePickleHook(v, proto4, nil)
}

func encodePickleHook(v any, proto4 bool, hook func(any) (any, bool)) []byte {
	w := &pickleWriter{proto4: proto4, hook: hook}
	if proto4 {
		w.buf.Write([]byte{0x80, 4})
	} else {
		w.buf.Write([]byte{0x80, 2})
	}
	w.value(v)
	w.buf.WriteByte('.')
	return w.buf.Bytes()
}

func (w *pickleWriter) value(v any) {
	b := &w.buf
	if w.hook != nil {
		if r, ok := w.hook(v); ok {
			v = r
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteByte('N')
	case bool:
		if x {
			b.WriteByte(0x88)
		} else {
			b.WriteByte(0x89)
		}
	case int:
		w.int(int64(x))
	case int64:
		w.int(x)
	case *big.Int:
		w.bigInt(x)
	case string:
		w.str(x)
	case pyGlobal:
		if w.proto4 {
			w.str(x.module)
			w.str(x.name)
			b.WriteByte(0x93)
			b.WriteByte(0x94)
		} else {
			fmt.Fprintf(b, "c%s\n%s\n", x.module, x.name)
		}
	case pyReduce:
		w.value(x.fn)
		w.value(x.args)
		b.WriteByte('R')
	case pyPersID:
		w.value(pyTuple(x))
		b.WriteByte('Q')
	case pyTuple:
		if len(x) == 0 {
			b.WriteByte(')')
			return
		}
		b.WriteByte('(')
		for _, item := range x {
			w.value(item)
		}
		b.WriteByte('t')
	case pyList:
		b.WriteByte(']')
		if len(x) > 0 {
			b.WriteByte('(')
			for _, item := range x {
				w.value(item)
			}
			b.WriteByte('e')
		}
	case pyDict:
		b.WriteByte('}')
		if len(x) > 0 {
			b.WriteByte('(')
			for _, it := range x {
				w.value(it.k)
				w.value(it.v)
			}
			b.WriteByte('u')
		}
	case pyOrderedDict:
		w.value(pyReduce{pyGlobal{"collections", "OrderedDict"}, pyTuple{}})
		if len(x) > 0 {
			b.WriteByte('(')
			for _, it := range x {
				w.value(it.k)
				w.value(it.v)
			}
			b.WriteByte('u')
		}
	case pyRaw:
		b.Write(x)
	default:
		panic(fmt.Sprintf("pickle writer: unsupported %T", v))
	}
}

func (w *pickleWriter) int(i int64) {
	b := &w.buf
	switch {
	case i >= 0 && i < 256:
		b.Write([]byte{'K', byte(i)})
	case i >= 0 && i < 65536:
		b.WriteByte('M')
		binary.Write(b, binary.LittleEndian, uint16(i))
	case i >= -1<<31 && i < 1<<31:
		b.WriteByte('J')
		binary.Write(b, binary.LittleEndian, int32(i))
	default:
		w.bigInt(big.NewInt(i))
	}
}

// bigInt writes LONG1: little-endian two's complement.
func (w *pickleWriter) bigInt(x *big.Int) {
	if x.Sign() < 0 {
		panic("pickle writer: negative big ints not needed")
	}
	be := x.Bytes()
	le := make([]byte, len(be), len(be)+1)
	for i := range be {
		le[i] = be[len(be)-1-i]
	}
	if len(le) == 0 || le[len(le)-1]&0x80 != 0 {
		le = append(le, 0)
	}
	w.buf.Write([]byte{0x8a, byte(len(le))})
	w.buf.Write(le)
}

func (w *pickleWriter) str(s string) {
	if w.proto4 && len(s) < 256 {
		w.buf.Write([]byte{0x8c, byte(len(s))})
		w.buf.WriteString(s)
		w.buf.WriteByte(0x94)
		return
	}
	w.buf.WriteByte('X')
	binary.Write(&w.buf, binary.LittleEndian, uint32(len(s)))
	w.buf.WriteString(s)
}
