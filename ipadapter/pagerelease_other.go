//go:build !linux

package ipadapter

// mappings does nothing outside Linux: mapped pages stay resident until
// the checkpoint is closed.
type mappings struct{}

func (m *mappings) release([]byte) {}
