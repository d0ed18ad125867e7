//go:build unix

package kernel

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a folder owned by another user.
func checkOwner(st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return fmt.Errorf("owned by user %d, not by you (%d)", sys.Uid, os.Getuid())
	}
	return nil
}
