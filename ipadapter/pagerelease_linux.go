//go:build linux

package ipadapter

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// mappings caches the process's read-only file mappings (from
// /proc/self/maps), re-read when an address is not in the cache.
type mappings struct {
	ranges [][2]uintptr
}

// release drops the resident pages under b if b lies inside a read-only
// file mapping; anything else (heap memory, a failed lookup) is left alone.
func (m *mappings) release(b []byte) {
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(&b[0]))
	end := start + uintptr(len(b))
	r, ok := m.find(start, end)
	if !ok {
		m.ranges = readOnlyFileMappings()
		if r, ok = m.find(start, end); !ok {
			return
		}
	}
	page := uintptr(os.Getpagesize())
	lo := max(start&^(page-1), r[0])
	hi := min((end+page-1)&^(page-1), r[1])
	// Pages shared with a neighbouring tensor are released too: for a
	// read-only file mapping that only means reading them again.
	syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_DONTNEED)
}

func (m *mappings) find(start, end uintptr) ([2]uintptr, bool) {
	for _, r := range m.ranges {
		if start >= r[0] && end <= r[1] {
			return r, true
		}
	}
	return [2]uintptr{}, false
}

// readOnlyFileMappings lists the address ranges mapped from files without
// write permission ("r--s" or "r--p" with an inode and a path).
func readOnlyFileMappings() [][2]uintptr {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out [][2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[4] == "0" || !strings.HasPrefix(fields[5], "/") || fields[1][1] != '-' {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil {
			out = append(out, [2]uintptr{uintptr(a), uintptr(b)})
		}
	}
	return out
}
