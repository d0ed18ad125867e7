package server_test

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/golden"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

// fixtures is the repository's fixture copy (testdata/golden): these
// tests use particular files of it (the tiny model, one adapter).
func fixtures(t *testing.T) string { return golden.Repo(t) }

// testServer is a server running in this process on a fresh socket.
type testServer struct {
	srv    *server.Server
	socket string
	done   chan error
}

// start serves on a temporary socket until the test ends.
func start(t *testing.T, opts server.Options) *testServer {
	t.Helper()
	// Unix socket paths are limited to about 100 bytes: keep it short.
	dir, err := os.MkdirTemp("", "ipk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ts := &testServer{srv: server.New(opts), socket: filepath.Join(dir, "k.sock"), done: make(chan error, 1)}
	go func() { ts.done <- ts.srv.ListenAndServe(ts.socket) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ts.srv.Shutdown(ctx)
		<-ts.done
	})
	return ts
}

// client connects to the test server, waiting for it to listen.
func (ts *testServer) client(t *testing.T) *kernel.Client {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := kernel.Dial(t.Context(), ts.socket, "")
		if err == nil {
			return c
		}
		var dead *kernel.DeadError
		if !errors.As(err, &dead) || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loadTiny loads the tiny fixture pipeline with the plain adapter.
func loadTiny(t *testing.T, c *kernel.Client, name, adapterFile string) *kernel.Pipeline {
	t.Helper()
	dir := fixtures(t)
	p, _, err := c.Load(t.Context(), kernel.LoadRequest{Name: name, Model: filepath.Join(dir, "tiny-sdxl")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if adapterFile != "" {
		if _, err := p.LoadIPAdapter(t.Context(), kernel.AdapterRequest{
			Repo: filepath.Join(dir, "ip-adapter"), Subfolder: "sdxl_models", WeightNames: []string{adapterFile},
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// loadImage reads a fixture image.
func loadImage(t *testing.T, name string) image.Image {
	t.Helper()
	img, err := ipadapter.LoadImage(t.Context(), filepath.Join(fixtures(t), "images", name))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// samePixels reports the first pixel where two images differ.
func samePixels(t *testing.T, got, want image.Image) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("image bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d, %d) is %v, the library gives %v", x, y, got.At(x, y), want.At(x, y))
			}
		}
	}
}
