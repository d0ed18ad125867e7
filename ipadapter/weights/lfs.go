package weights

import (
	"bytes"
	"fmt"
)

// lfsPointerPrefix starts every Git-LFS pointer file. A repository cloned
// without git-lfs has these ~130-byte text files where the weights should be.
var lfsPointerPrefix = []byte("version https://git-lfs.github.com/spec/")

// checkLFSPointer returns a clear error when buf is a Git-LFS pointer file.
func checkLFSPointer(buf []byte) error {
	if bytes.HasPrefix(buf, lfsPointerPrefix) {
		return fmt.Errorf("%w: run `git lfs install && git lfs pull` in the cloned repository, or download the real file (e.g. through the Hub cache)", ErrLFSPointer)
	}
	return nil
}
