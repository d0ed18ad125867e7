package nn

import "github.com/gomlx/compute/shapes"

// Compile builds and compiles the graph for inputs of the given shapes
// without running it, so a caller can pay for compilation ahead of the
// first request (and a benchmark can time it apart from execution). A later
// Call with inputs of these shapes reuses the compiled graph.
func (e *Exec) Compile(inputShapes ...shapes.Shape) error {
	return e.try(func() error { _, err := e.exec.Compile(inputShapes...); return err })
}
