package nn

import (
	"github.com/gomlx/gomlx/core/graph"
)

// Recorder collects named intermediate nodes while a graph is built, so a
// caller can return them as extra outputs (attention maps for the heat-map
// displays, or internals while debugging). Layers ask Want before doing any
// extra work, so recording costs nothing when it is off.
type Recorder struct {
	want  func(name string) bool
	names []string
	nodes []*graph.Node
}

// NewRecorder records the values whose names want accepts.
func NewRecorder(want func(name string) bool) *Recorder { return &Recorder{want: want} }

// Want reports whether a value of that name should be recorded. A nil
// Recorder wants nothing.
func (r *Recorder) Want(name string) bool { return r != nil && r.want(name) }

// Record stores a node under a name (only if wanted).
func (r *Recorder) Record(name string, n *graph.Node) {
	if r.Want(name) {
		r.names = append(r.names, name)
		r.nodes = append(r.nodes, n)
	}
}

// Names and Nodes return what was recorded, in order.
func (r *Recorder) Names() []string { return r.names }

// Nodes returns the recorded nodes, in the order of Names.
func (r *Recorder) Nodes() []*graph.Node { return r.nodes }
