package weights

import (
	"bytes"
	"errors"

	"github.com/nlpodyssey/gopickle/pickle"
)

// loadPickle reads the pickle stream at the start of buf with the
// allow-list and returns its value and the offset just past it.
// persistentLoad may be nil for streams that must not refer to storages.
//
// The stream is scanned first (lengths, opcodes, GLOBALs: see scanPickle),
// then unpickled by gopickle. gopickle can still panic on some malformed
// streams (an odd number of dict items, an unhashable dict key, an empty
// LONG1); such a panic is turned into an ErrCorrupt error here, so a
// damaged file never brings the program down.
func loadPickle(buf []byte, persistentLoad func(any) (any, error)) (v any, end int, err error) {
	end, err = scanPickle(buf)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errorf(ErrCorrupt, "corrupted pickle stream (%v); the file is damaged, download it again", r)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(buf[:end]))
	u.FindClass = findGlobal
	u.PersistentLoad = persistentLoad
	if persistentLoad == nil {
		u.PersistentLoad = func(any) (any, error) {
			return nil, errorf(ErrCorrupt, "corrupted pickle stream: unexpected persistent id")
		}
	}
	v, err = u.Load()
	if err != nil {
		var ke *kindError
		if errors.As(err, &ke) {
			return nil, 0, err
		}
		return nil, 0, errorf(ErrCorrupt, "corrupted pickle stream: %v; the file is damaged, download it again", err)
	}
	return v, end, nil
}
