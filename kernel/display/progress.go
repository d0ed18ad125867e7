package display

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
)

// Progress is a live line in the cell's output: a bar, the step, elapsed
// time and ETA, and the latest preview. GoNB replaces the line in place
// (UpdateHTML); a saved notebook keeps its last state.
type Progress struct {
	id, title string
	width     int
	last      time.Time
	shown     bool
	file      string // the download shown last
}

// NewProgress makes a progress line; nothing shows until the first
// update.
func NewProgress(title string) *Progress {
	return &Progress{id: gonbui.UniqueID(), title: title, width: 128}
}

// Func returns the callback for kernel.Request.Progress.
func (p *Progress) Func() func(kernel.Progress) { return p.Update }

// Update shows a step. Updates closer than 100 ms apart are skipped,
// except the last step.
func (p *Progress) Update(pr kernel.Progress) {
	if pr.Step != pr.Total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	gonbui.UpdateHTML(p.id, ProgressHTML(p.title, pr, p.width))
}

// Download shows a download's progress (kernel Load callbacks).
func (p *Progress) Download(file string, done, total int64) {
	if done != total && file == p.file && time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.file = file
	p.last = time.Now()
	p.shown = true
	gonbui.UpdateHTML(p.id, DownloadHTML(p.title, file, done, total))
}

// DownloadHTML renders one download state.
func DownloadHTML(title, file string, done, total int64) string {
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	what := ""
	if file != "" {
		what = " <code>" + html.EscapeString(file) + "</code>"
	}
	return fmt.Sprintf(`<div><b>%s</b> downloading%s: <progress value="%d" max="%d"></progress> %.1f of %.1f GB (%.0f%%)</div>`,
		html.EscapeString(title), what, done, max(total, 1), float64(done)/1e9, float64(total)/1e9, pct)
}

// Done replaces the line with a final message ("" removes it; nothing
// is added when the line never showed).
func (p *Progress) Done(msg string) {
	if msg == "" && !p.shown {
		return
	}
	p.shown = true
	gonbui.UpdateHTML(p.id, html.EscapeString(msg))
}

// ProgressHTML renders one progress state.
func ProgressHTML(title string, pr kernel.Progress, previewWidth int) string {
	var b strings.Builder
	b.WriteString(`<div style="display: flex; gap: 12px; align-items: center;">`)
	if pr.Preview != nil {
		if tag, err := imgTag(pr.Preview, previewWidth); err == nil {
			b.WriteString(tag)
		}
	}
	fmt.Fprintf(&b, `<div><b>%s</b><br><progress value="%d" max="%d"></progress> step %d/%d · %s elapsed`,
		html.EscapeString(title), pr.Step, max(pr.Total, 1), pr.Step, pr.Total, round(pr.Elapsed))
	if pr.Step > 0 && pr.Step < pr.Total {
		fmt.Fprintf(&b, ` · about %s left`, round(pr.ETA))
	}
	b.WriteString(`</div></div>`)
	return b.String()
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
