package server

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// TestDownloadEventsNameFiles: the hub's reports reach the request's
// stream through the pipeline's sink with the file named; reports closer
// than the throttle are dropped, but never a file's first or last one.
func TestDownloadEventsNameFiles(t *testing.T) {
	rec := httptest.NewRecorder()
	st := newStream(rec)
	var s sink
	detach := s.attach(st.downloadProgress)
	for _, r := range []wire.Download{
		{File: "unet/a.safetensors", Done: 0, Total: 10},
		{File: "unet/a.safetensors", Done: 4, Total: 10}, // too soon
		{File: "unet/a.safetensors", Done: 10, Total: 10},
		{File: "vae/b.safetensors", Done: 0, Total: 5},
	} {
		s.report(r.File, r.Done, r.Total)
	}
	detach()
	s.report("late.bin", 1, 1) // after the request: nowhere
	dec := json.NewDecoder(rec.Body)
	var got []wire.Download
	for dec.More() {
		var ev wire.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatal(err)
		}
		if ev.Download != nil {
			got = append(got, *ev.Download)
		}
	}
	want := []wire.Download{
		{File: "unet/a.safetensors", Done: 0, Total: 10},
		{File: "unet/a.safetensors", Done: 10, Total: 10},
		{File: "vae/b.safetensors", Done: 0, Total: 5},
	}
	if !slices.Equal(got, want) {
		t.Errorf("download events %+v, want %+v", got, want)
	}
}
