package server

import "sync"

// sink forwards the hub's download progress to whichever request is
// loading files for a pipeline right now. The library keeps the hub
// options it was loaded with (their Progress hook included) and uses them
// again when adapters are loaded later, long after the load request's
// stream has ended, so the hook cannot point at one request's stream.
type sink struct {
	mu sync.Mutex
	f  func(file string, done, total int64)
}

// report is the hub's ProgressFile hook.
func (s *sink) report(file string, done, total int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f(file, done, total)
	}
}

// attach routes progress to f until the returned function is called.
func (s *sink) attach(f func(file string, done, total int64)) (detach func()) {
	s.mu.Lock()
	s.f = f
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.f = nil
		s.mu.Unlock()
	}
}
