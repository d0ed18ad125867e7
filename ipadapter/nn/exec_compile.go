package nn

import (
	"fmt"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Compile builds and compiles the graph for inputs of the given shapes
// without running it, so a caller can pay for compilation ahead of the
// first request (and a benchmark can time it apart from execution). A later
// Call with inputs of these shapes reuses the compiled graph.
func (e *Exec) Compile(inputShapes ...shapes.Shape) (err error) {
	if caught := exceptions.Try(func() { _, err = e.exec.Compile(inputShapes...) }); caught != nil {
		return fmt.Errorf("%s: %v", e.name, caught)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	return nil
}
