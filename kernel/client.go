package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// Client talks to one backend over its unix socket.
type Client struct {
	socket  string
	logPath string
	http    *http.Client
}

// Dial connects to a backend already listening on socket (Connect finds or
// starts one). logPath, if known, is quoted in errors.
func Dial(ctx context.Context, socket, logPath string) (*Client, error) {
	c, _, err := dial(ctx, socket, logPath)
	return c, err
}

// dial is Dial, also returning the status it checked the protocol with.
func dial(ctx context.Context, socket, logPath string) (*Client, *wire.Status, error) {
	c := &Client{socket: socket, logPath: logPath}
	c.http = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		// Requests are long (a generation takes minutes) and local.
		MaxIdleConns: 4,
	}}
	// A backend that accepts connections but does not answer (stopped,
	// swapping) must not hang the cell.
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := c.Status(sctx)
	if err != nil {
		return nil, nil, err
	}
	if st.Version != wire.Version {
		return nil, nil, fmt.Errorf("the backend on %s speaks protocol %d, this client %d: stop it (kernel.Client.Shutdown) and connect again", socket, st.Version, wire.Version)
	}
	return c, st, nil
}

// Socket is the backend's socket path.
func (c *Client) Socket() string { return c.socket }

// Status describes the backend: build, backend device, memory, pipelines.
func (c *Client) Status(ctx context.Context) (*wire.Status, error) {
	var st wire.Status
	if err := c.call(ctx, http.MethodGet, wire.PathStatus, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Shutdown asks the backend to exit once running requests finish; its
// pipelines are freed.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, wire.PathShutdown, struct{}{}, nil)
}

// call sends a request and decodes a JSON answer into out (if not nil).
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return c.wrap(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return c.wrap(fmt.Errorf("reading the backend's answer to %s: %w", path, err))
	}
	return nil
}

// send sends a request; a non-2xx answer becomes the error it carries.
func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://kernel"+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.wrap(err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		var e wire.Error
		data, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(data)))
		}
		return nil, &BackendError{Status: resp.StatusCode, Message: e.Error}
	}
	return resp, nil
}

// stream sends a request whose answer is a stream of events, calls
// onEvent for every progress or download event and returns the final one.
func (c *Client) stream(ctx context.Context, path string, in any, onEvent func(*wire.Event)) (*wire.Event, error) {
	resp, err := c.send(ctx, http.MethodPost, path, in)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var ev wire.Event
		if err := dec.Decode(&ev); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, c.wrap(fmt.Errorf("the backend's answer ended early: %w", err))
		}
		if ev.Error != "" {
			return nil, &BackendError{Status: http.StatusOK, Message: ev.Error}
		}
		if ev.Result != nil || ev.Attention != nil || ev.Pipeline != nil {
			return &ev, nil
		}
		if onEvent != nil {
			onEvent(&ev)
		}
	}
}

// BackendError is an error the backend reported (the library's message).
type BackendError struct {
	Status  int
	Message string
}

func (e *BackendError) Error() string { return e.Message }

// DeadError says the backend stopped answering: it crashed, was killed
// (out of memory), or exited after its idle timeout.
type DeadError struct {
	Err error
	// Log is the backend's log file, LogTail its last lines.
	Log, LogTail string
}

func (e *DeadError) Error() string {
	msg := "the notebook backend is not answering (it crashed, was stopped, or exited after its idle timeout; kernel.Connect() starts a new one): " + e.Err.Error()
	if e.Log != "" {
		msg += "\nbackend log: " + e.Log
	}
	if e.LogTail != "" {
		msg += "\n" + e.LogTail
	}
	return msg
}

func (e *DeadError) Unwrap() error { return e.Err }

// wrap turns connection failures into a DeadError naming the log.
func (c *Client) wrap(err error) error {
	if err == nil || !isDead(err) {
		return err
	}
	return &DeadError{Err: err, Log: c.logPath, LogTail: tail(c.logPath, 15)}
}

// isDead reports whether err means nothing answers on the socket.
func isDead(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// tail returns the last n lines of a file ("" if unreadable).
func tail(path string, n int) string {
	if path == "" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const maxRead = 16 << 10
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(st.Size()-maxRead, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitGone waits until nothing answers on socket, up to d.
func waitGone(socket string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("unix", socket, 200*time.Millisecond)
		if err != nil {
			return true
		}
		conn.Close()
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
