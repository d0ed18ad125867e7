package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ConnectOptions tune Connect; the zero value reads the environment.
type ConnectOptions struct {
	// Dir is the runtime folder ("" = RuntimeDir()).
	Dir string
	// IdleTimeout of a backend started by this call ("" =
	// IPADAPTER_KERNEL_IDLE, else 30m).
	IdleTimeout string
	// Logf reports what Connect does that takes time (building,
	// starting); nil prints to standard error, which a cell shows.
	Logf func(format string, args ...any)
}

// Connect returns a client of the user's backend, building and starting
// one if none runs. A backend built from other source (the repository
// changed since it started) is replaced when it is idle.
func Connect() (*Client, error) { return ConnectWith(context.Background(), ConnectOptions{}) }

// ConnectWith is Connect with options.
func ConnectWith(ctx context.Context, o ConnectOptions) (*Client, error) {
	if o.Logf == nil {
		o.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	if o.IdleTimeout == "" {
		o.IdleTimeout = os.Getenv("IPADAPTER_KERNEL_IDLE")
	}
	if o.IdleTimeout == "" {
		o.IdleTimeout = "30m"
	}
	if _, err := time.ParseDuration(o.IdleTimeout); err != nil {
		return nil, fmt.Errorf("kernel idle timeout %q: %w", o.IdleTimeout, err)
	}
	if o.Dir == "" {
		var err error
		if o.Dir, err = RuntimeDir(); err != nil {
			return nil, err
		}
	}
	src, err := SourceDir()
	if err != nil {
		return nil, err
	}
	hash, err := SourceHash(src)
	if err != nil {
		return nil, fmt.Errorf("hashing the backend's source: %w", err)
	}
	socket, logPath := SocketPath(o.Dir), LogPath(o.Dir)
	if c, err := current(ctx, socket, logPath, hash, o.Logf); c != nil || err != nil {
		return c, err
	}
	// None answers: start one, under a lock so that two cells starting at
	// once make one backend.
	unlock, err := lockFile(ctx, o.Dir+"/"+lockName)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c, err := current(ctx, socket, logPath, hash, o.Logf); c != nil || err != nil {
		return c, err
	}
	bin, err := buildServer(ctx, src, hash, o.Logf)
	if err != nil {
		return nil, err
	}
	if err := spawn(bin, socket, logPath, o.IdleTimeout, hash); err != nil {
		return nil, err
	}
	return waitReady(ctx, socket, logPath)
}

// current returns a client of the running backend when it was built from
// this source; (nil, nil) when none runs (or an outdated one was stopped).
func current(ctx context.Context, socket, logPath, hash string, logf func(string, ...any)) (*Client, error) {
	c, st, err := dial(ctx, socket, logPath)
	if err != nil {
		var dead *DeadError
		if errors.As(err, &dead) {
			return nil, nil
		}
		return nil, err
	}
	if st.Build == hash || os.Getenv("IPADAPTER_KERNEL_BIN") != "" {
		return c, nil
	}
	if st.InFlight > 0 {
		return nil, fmt.Errorf("the running backend (pid %d) was built from older source and is busy; wait for it, or stop it with kernel.Client.Shutdown", st.PID)
	}
	logf("The repository changed since the backend started (build %s, now %s): restarting it.", st.Build, hash)
	if err := c.Shutdown(ctx); err != nil {
		return nil, err
	}
	if !waitGone(socket, 2*time.Minute) {
		return nil, fmt.Errorf("the old backend (pid %d) did not exit", st.PID)
	}
	return nil, nil
}

// waitReady waits for a freshly started backend to answer.
func waitReady(ctx context.Context, socket, logPath string) (*Client, error) {
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		c, err := Dial(ctx, socket, logPath)
		if err == nil {
			return c, nil
		}
		last = err
		if strings.Contains(tail(logPath, 3), "exiting with error") {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("the notebook backend did not start: %w", last)
}
