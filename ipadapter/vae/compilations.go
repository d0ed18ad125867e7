package vae

import "github.com/seed11f6bdef/gonb-ipadapter/ipadapter/nn"

// Compilations counts the graphs compiled so far by Decode, DecodeLatents
// and Encode together: one per graph and input shape (and dtype), so a
// run of same-sized images compiles each graph it uses once. The count
// only grows; it stays readable after Finalize.
func (m *Model) Compilations() int {
	n := 0
	for _, e := range []*nn.Exec{m.decode, m.decodeLatents, m.encode} {
		n += e.Compilations()
	}
	return n
}
