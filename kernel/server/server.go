package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server.
type Options struct {
	// IdleTimeout ends Serve when no request has been in flight for that
	// long; 0 never does.
	IdleTimeout time.Duration
	// Build identifies the source the server was built from (reported in
	// the status, compared by clients).
	Build string
	// Log receives one line per request and every error; nil discards.
	Log *log.Logger
	// LogPath is reported in the status so users can find the log.
	LogPath string
}

// Server owns the pipelines and serves requests for them.
type Server struct {
	opts    Options
	started time.Time
	socket  string

	mu        sync.Mutex
	pipelines map[string]*entry

	inFlight atomic.Int64
	lastDone atomic.Int64 // unix nanoseconds of the last request's end

	http     *http.Server
	stopOnce sync.Once
	stopped  chan struct{}
}

// New returns a server; call Serve or ListenAndServe.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = log.New(discard{}, "", 0)
	}
	s := &Server{opts: opts, started: time.Now(), pipelines: map[string]*entry{}, stopped: make(chan struct{})}
	s.lastDone.Store(time.Now().UnixNano())
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	return s
}

// ListenAndServe listens on the unix socket path (replacing a stale
// socket file) and serves until shutdown or the idle timeout.
func (s *Server) ListenAndServe(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	ln, err := listenUnix(path)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// listenUnix listens on path, removing a socket file no one answers on
// (left by a backend that crashed). A live one is an error: the caller
// holds the start lock, so that is another user of the same folder.
func listenUnix(path string) (net.Listener, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("a backend is already listening on %s", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	// The folder is 0700 already; the socket itself too, in case the
	// folder is shared by mistake.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Serve serves on ln until Shutdown, a shutdown request or the idle
// timeout; it then closes every pipeline. It returns nil in those cases.
func (s *Server) Serve(ln net.Listener) error {
	if a, ok := ln.Addr().(*net.UnixAddr); ok {
		s.socket = a.Name
	}
	s.opts.Log.Printf("serving on %s (idle timeout %s, build %s)", ln.Addr(), s.opts.IdleTimeout, s.opts.Build)
	go s.watchIdle()
	err := s.http.Serve(ln)
	s.closeAll()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests, lets running ones finish (until ctx
// ends) and makes Serve return.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.stopOnce.Do(func() {
		close(s.stopped)
		err = s.http.Shutdown(ctx)
	})
	return err
}

// watchIdle shuts the server down once it has been idle for the timeout.
func (s *Server) watchIdle() {
	if s.opts.IdleTimeout <= 0 {
		return
	}
	tick := min(s.opts.IdleTimeout/4, 5*time.Second)
	t := time.NewTicker(max(tick, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.stopped:
			return
		case <-t.C:
			if s.idle() >= s.opts.IdleTimeout {
				s.opts.Log.Printf("idle for %s: exiting", s.opts.IdleTimeout)
				go s.Shutdown(context.Background())
				return
			}
		}
	}
}

// idle is how long no request has been in flight.
func (s *Server) idle() time.Duration {
	if s.inFlight.Load() > 0 {
		return 0
	}
	return time.Since(time.Unix(0, s.lastDone.Load()))
}

// track counts a request as in flight for the idle timeout.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		start := time.Now()
		defer func() {
			s.lastDone.Store(time.Now().UnixNano())
			s.inFlight.Add(-1)
			s.opts.Log.Printf("%s %s (%.2fs)", r.Method, r.URL.Path, time.Since(start).Seconds())
		}()
		h.ServeHTTP(w, r)
	})
}

// closeAll frees every pipeline (at exit).
func (s *Server) closeAll() {
	s.mu.Lock()
	entries := s.pipelines
	s.pipelines = map[string]*entry{}
	s.mu.Unlock()
	for _, e := range entries {
		e.close()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
