package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// maxBody bounds a request: reference images, masks and embeddings as
// PNG and base64, not datasets.
const maxBody = 1 << 30

// httpError is an error with the HTTP status it answers with.
type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Errorf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Errorf(format, args...)}
}

// readJSON decodes the request body into v, refusing unknown fields so a
// misspelt option is an error rather than silently ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("reading the request: %w", err)
	}
	return nil
}

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the error's status (500 unless it says).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var he *httpError
	if errors.As(err, &he) {
		status = he.status
	}
	s.opts.Log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(wire.Error{Error: err.Error()})
}

// handle adapts a handler that returns an error.
func (s *Server) handle(f func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return s.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}))
}

// nameOf is the pipeline name at the end of a pipeline-scoped path.
func nameOf(r *http.Request, prefix string) string {
	name := strings.TrimPrefix(r.URL.Path, prefix)
	if name == "" {
		return defaultName
	}
	return name
}

// stream writes newline-delimited events, flushing each so the cell sees
// it at once.
type stream struct {
	mu    sync.Mutex
	enc   *json.Encoder
	flush func()
	// last and lastFile are the time and file of the latest download
	// event sent.
	last     time.Time
	lastFile string
}

func newStream(w http.ResponseWriter) *stream {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	st := &stream{enc: json.NewEncoder(w), flush: func() {}}
	if f, ok := w.(http.Flusher); ok {
		st.flush = f.Flush
	}
	st.flush()
	return st
}

// send writes one event and flushes it to the client.
func (st *stream) send(ev wire.Event) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.enc.Encode(ev)
	st.flush()
}

// finish sends the final event: the result, or the error.
func (st *stream) finish(ev wire.Event, err error) {
	if err != nil {
		ev = wire.Event{Error: err.Error()}
	}
	st.send(ev)
}

// downloadProgress sends a hub download's progress (which comes once per
// chunk) at most twice a second, but always a file's first and last
// report, so the cell names each file and sees it finish.
func (st *stream) downloadProgress(file string, done, total int64) {
	st.mu.Lock()
	urgent := file != st.lastFile || done == total
	st.lastFile = file
	if !urgent && time.Since(st.last) < 500*time.Millisecond {
		st.mu.Unlock()
		return
	}
	st.last = time.Now()
	st.mu.Unlock()
	st.send(wire.Event{Download: &wire.Download{File: file, Done: done, Total: total}})
}
