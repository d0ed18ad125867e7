package display

import (
	"strings"
	"testing"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
)

func TestDownloadHTML(t *testing.T) {
	h := DownloadHTML("SDXL", "unet/<w>.safetensors", 5e8, 2e9)
	for _, want := range []string{"<code>unet/&lt;w&gt;.safetensors</code>", `value="500000000" max="2000000000"`, "0.5 of 2.0 GB (25%)"} {
		if !strings.Contains(h, want) {
			t.Errorf("download line lacks %q: %s", want, h)
		}
	}
	if h := DownloadHTML("SDXL", "", 0, 0); strings.Contains(h, "<code>") || !strings.Contains(h, `max="1"`) {
		t.Errorf("no file, no size: %s", h)
	}
}

// TestStatusShowsCompilations: the status table has each pipeline's
// compiled graphs, per component.
func TestStatusShowsCompilations(t *testing.T) {
	c := kernel.Compilations{UNet: 2, TextEncoders: []int{1, 1}, ImageEncoder: 1, ImageProjection: 1, VAE: 1, Total: 7}
	want := "7: UNet 2, text encoders 1+1, image encoder 1, projection 1, VAE 1"
	if got := CompilationsText(c); got != want {
		t.Errorf("CompilationsText = %q, want %q", got, want)
	}
	h := StatusHTML(&kernel.Status{Pipelines: []kernel.PipelineInfo{{Name: "sdxl", Compilations: c}}})
	if !strings.Contains(h, "<th>compiled graphs</th>") || !strings.Contains(h, "<td>"+want+"</td>") {
		t.Errorf("status lacks the compilations: %s", h)
	}
}
