package ipadapter

import "github.com/seed11f6bdef/gonb-ipadapter/ipadapter/weights"

// Loading keeps one host copy of each weight at a time. A checkpoint is
// memory-mapped and each tensor copied from the mapping to the backend's
// buffer; the mapped pages the copy read stay resident until the file is
// closed, so without help a 5 GB UNet loaded onto the pure-Go backend
// (whose buffers are host memory) peaks at 10 GB: the whole file plus the
// whole copy. releasingSource tells the OS, as soon as the next tensor is
// asked for (the previous one has been copied by then), that the previous
// tensor's mapped pages are no longer needed (madvise MADV_DONTNEED): they
// leave the process's resident set but stay in the page cache, and
// touching them again re-reads the file, so the data never changes. Only
// read-only file mappings are released (releaseMapped checks), never heap
// memory such as the converted tensors some sources return.

// releasingSource wraps a Source and releases the pages of each tensor's
// bytes once the next tensor is read, and of the last one on Close.
type releasingSource struct {
	weights.Source
	last    []byte
	mapping mappings
}

func newReleasingSource(src weights.Source) *releasingSource {
	return &releasingSource{Source: src}
}

func (s *releasingSource) Bytes(name string) ([]byte, error) {
	s.release()
	b, err := s.Source.Bytes(name)
	if err == nil {
		s.last = b
	}
	return b, err
}

func (s *releasingSource) Close() error {
	s.release()
	return s.Source.Close()
}

func (s *releasingSource) release() {
	if s.last != nil {
		s.mapping.release(s.last)
		s.last = nil
	}
}
