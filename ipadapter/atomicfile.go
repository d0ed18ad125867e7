package ipadapter

import "github.com/seed11f6bdef/gonb-ipadapter/internal/atomicfile"

// writeFileAtomic saves data so that path is never half-written (package
// atomicfile): an interrupted save leaves the old file or none.
func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteBytes(path, data) }
