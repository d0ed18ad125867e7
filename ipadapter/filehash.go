package ipadapter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Weight files are identified in the metadata by their sha256, the hash
// the Hub itself shows for LFS files. Hashing 7 GB of SDXL weights takes
// tens of seconds, so a hash is computed at most once per file version:
//
//   - a file of the Hub cache is a symlink to blobs/<sha256> (the ETag of
//     an LFS file is its sha256), so its name is the hash;
//   - other files are hashed once and the result kept, keyed by absolute
//     path, size and modification time, in memory and in the user's cache
//     folder (<UserCacheDir>/gonb-ipadapter/sha256/), so the next process
//     (the next CLI run) reuses it.

// FileInfo identifies one weight file.
type FileInfo struct {
	// Name is the file's path inside its repository, or its base name for
	// a file given by path.
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

var (
	hashMu    sync.Mutex
	hashMemo  = map[string]string{} // hashKey → sha256
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// fileSHA256 returns the sha256 of a file (hex), from the Hub cache's blob
// name, the memo, the on-disk cache, or by hashing it.
func fileSHA256(path string) (string, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		base, dir := filepath.Base(real), filepath.Base(filepath.Dir(real))
		if dir == "blobs" && sha256Hex.MatchString(base) {
			return base, nil
		}
		path = real
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	key := hashKey(abs, st)
	hashMu.Lock()
	h, ok := hashMemo[key]
	hashMu.Unlock()
	if ok {
		return h, nil
	}
	if h = readHashCache(key); h == "" {
		if h, err = hashFile(abs); err != nil {
			return "", err
		}
		writeHashCache(key, h)
	}
	hashMu.Lock()
	hashMemo[key] = h
	hashMu.Unlock()
	return h, nil
}

// hashKey identifies a version of a file: absolute path, size and
// modification time.
func hashKey(abs string, st os.FileInfo) string {
	return fmt.Sprintf("%s\x00%d\x00%d", abs, st.Size(), st.ModTime().UnixNano())
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashCachePath is the on-disk cache entry for a key: one small file per
// key, written atomically, so concurrent processes need no lock.
func hashCachePath(key string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "gonb-ipadapter", "sha256", hex.EncodeToString(sum[:16]))
}

// readHashCache returns the cached hash of key, "" when there is none. The
// entry repeats the key, so a (vanishingly unlikely) name collision reads
// as a miss.
func readHashCache(key string) string {
	p := hashCachePath(key)
	if p == "" {
		return ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	k, h, ok := strings.Cut(string(data), "\n")
	if !ok || k != strconv.Quote(key) || !sha256Hex.MatchString(h) {
		return ""
	}
	return h
}

// writeHashCache stores a hash; failing to (a read-only home) only costs
// hashing again next time.
func writeHashCache(key, h string) {
	p := hashCachePath(key)
	if p == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	_ = writeFileAtomic(p, []byte(strconv.Quote(key)+"\n"+h))
}
