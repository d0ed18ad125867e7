package nn

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"
)

// ExecCache holds a model's executables over one store, one per graph
// structure: the caller names each structure with a key (which outputs,
// which optional inputs), and each Exec compiles once per input shapes.
// Compilations counts every graph built, also those of executables that
// Forget dropped. It is safe for concurrent use.
type ExecCache struct {
	name    string
	backend compute.Backend
	store   *model.Store
	opts    Options

	mu      sync.Mutex
	execs   map[string]*Exec
	retired int // compilations of executables dropped by Forget
	closed  bool
}

// NewExecCache makes an empty cache; name prefixes its errors.
func NewExecCache(name string, backend compute.Backend, store *model.Store, opts Options) *ExecCache {
	return &ExecCache{name: name, backend: backend, store: store, opts: opts, execs: map[string]*Exec{}}
}

// Get returns the executable for key. The first time, it is made with the
// graph newBuild returns (newBuild is called only then, so a caller's
// preparation of the graph stays off its per-call path). After Close, Get
// fails.
func (c *ExecCache) Get(key string, newBuild func() BuildFn) (*Exec, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("%s: the model was closed", c.name)
	}
	if e, ok := c.execs[key]; ok {
		return e, nil
	}
	e, err := NewExec(c.name, c.backend, c.store, c.opts, newBuild())
	if err != nil {
		return nil, err
	}
	c.execs[key] = e
	return e, nil
}

// Compilations is the number of graphs built so far.
func (c *ExecCache) Compilations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.retired
	for _, e := range c.execs {
		n += e.Compilations()
	}
	return n
}

// Forget frees every executable: the next Get makes a new one, which
// compiles again with the store's current weights.
func (c *ExecCache) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
}

// Close frees the executables; Get fails afterwards.
func (c *ExecCache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
	c.closed = true
}

// forget is Forget with c.mu held.
func (c *ExecCache) forget() {
	for k, e := range c.execs {
		c.retired += e.Compilations()
		e.Finalize()
		delete(c.execs, k)
	}
}
