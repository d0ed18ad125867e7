package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
)

// partial is a blob being downloaded: blobs/<etag>.incomplete, the name
// huggingface_hub resumes from. It hashes what is written so an LFS file can
// be checked against its sha256 without reading it again.
type partial struct {
	f        *os.File
	size     int64     // bytes on disk
	total    int64     // the size the Hub announced
	sum      hash.Hash // nil when the etag is not a sha256
	progress func(done, total int64)
}

// openPartial opens (or creates) the incomplete file and hashes what an
// earlier, interrupted download left in it. A leftover longer than the file
// can only be garbage and is emptied.
func openPartial(path string, m fileMeta, progress func(done, total int64)) (*partial, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("hub: opening partial download: %w", err)
	}
	p := &partial{f: f, total: m.size, progress: progress}
	if sha256Pattern.MatchString(m.etag) {
		p.sum = sha256.New()
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("hub: opening partial download: %w", err)
	}
	if st.Size() > m.size {
		return p, p.reset()
	}
	if p.sum != nil {
		if _, err := io.Copy(p.sum, io.NewSectionReader(f, 0, st.Size())); err != nil {
			f.Close()
			return nil, fmt.Errorf("hub: reading partial download: %w", err)
		}
	}
	p.size = st.Size()
	return p, nil
}

// Write appends to the file, the hash and the progress count.
func (p *partial) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	if p.sum != nil {
		p.sum.Write(b[:n])
	}
	p.size += int64(n)
	if p.progress != nil && n > 0 {
		p.progress(p.size, p.total)
	}
	if err != nil {
		return n, fmt.Errorf("hub: writing partial download: %w", err)
	}
	return n, nil
}

// reset empties the file, for a server that ignored the Range header and
// sends the whole file again.
func (p *partial) reset() error {
	if err := p.f.Truncate(0); err != nil {
		p.f.Close()
		return fmt.Errorf("hub: restarting download: %w", err)
	}
	p.size = 0
	if p.sum != nil {
		p.sum.Reset()
	}
	return nil
}

// verify checks the size and, for LFS files, the sha256 (the etag). The size
// is the file's on disk, not what this download wrote, to catch another
// writer that ignored the lock.
func (p *partial) verify(name, etag string) error {
	st, err := p.f.Stat()
	if err != nil {
		return fmt.Errorf("hub: %s: checking download: %w", name, err)
	}
	if st.Size() != p.total || p.size != p.total {
		return fmt.Errorf("hub: %s: downloaded %d bytes but the Hub announced %d: %w", name, st.Size(), p.total, ErrIntegrity)
	}
	if p.sum == nil {
		return nil
	}
	if got := hex.EncodeToString(p.sum.Sum(nil)); got != etag {
		return fmt.Errorf("hub: %s: downloaded file has sha256 %s but the Hub announced %s: %w", name, got, etag, ErrIntegrity)
	}
	return nil
}
