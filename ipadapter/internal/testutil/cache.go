package testutil

import (
	"sync"
	"testing"
)

// Cache keeps one value per key for the whole test process: golden cases
// that name the same model folder share one loaded model. The zero Cache
// is ready to use.
type Cache[V any] struct {
	mu    sync.Mutex
	byKey map[string]V
}

// Get returns the value for key, made by load the first time (under the
// lock, so concurrent tests load a folder once). A load error fails the
// test.
func (c *Cache[V]) Get(t testing.TB, key string, load func() (V, error)) V {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.byKey[key]; ok {
		return v
	}
	v, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if c.byKey == nil {
		c.byKey = map[string]V{}
	}
	c.byKey[key] = v
	return v
}
