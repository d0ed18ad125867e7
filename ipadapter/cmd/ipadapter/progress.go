package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
)

// progressMode is how progress is shown.
type progressMode int

const (
	// progressOff shows nothing (--quiet).
	progressOff progressMode = iota
	// progressLines prints plain lines, at most one per lineEvery, for
	// logs and pipes, where a redrawn bar would be noise.
	progressLines
	// progressBar redraws one line of stderr, a terminal.
	progressBar
)

// lineEvery spaces plain progress lines (stderr is not a terminal).
const lineEvery = 2 * time.Second

// progress reports loading, downloads and denoising steps. Messages and
// plain progress lines go to stdout, with the results: stderr carries
// only the error line, so that a script sees exactly what went wrong,
// and, on a terminal, the live bar, which is erased before any other
// output. Downloads report from another goroutine, hence the lock.
type progress struct {
	mu    sync.Mutex
	out   io.Writer // messages and plain lines
	bar   io.Writer // the bar (a terminal)
	mode  progressMode
	width int
	now   func() time.Time

	label     string    // what is being generated ("[2/9] scale 0.25"), may be ""
	loopStart time.Time // when step 0 was reported
	lastLine  time.Time // when the last plain line was printed
	barShown  bool      // a bar is on the current line
}

func newProgress(a *app, quiet bool) *progress {
	p := &progress{out: a.stdout, bar: a.stderr, mode: progressLines, width: a.width, now: time.Now}
	switch {
	case quiet:
		p.mode = progressOff
	case a.terminal:
		p.mode = progressBar
	}
	if p.width <= 0 {
		p.width = 80
	}
	return p
}

// info prints a line of information (loading, notes, warnings).
func (p *progress) info(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == progressOff {
		return
	}
	p.clearBar()
	fmt.Fprintf(p.out, format+"\n", args...)
}

// begin starts reporting one generation, labelled for sweeps.
func (p *progress) begin(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	p.lastLine = time.Time{}
}

// step is the Request.Progress callback.
func (p *progress) step(pr ipadapter.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if pr.Step == 0 {
		p.loopStart = now
	}
	switch p.mode {
	case progressBar:
		p.drawBar(pr, now)
	case progressLines:
		if pr.Step == 0 || (pr.Step != 1 && pr.Step != pr.Total && now.Sub(p.lastLine) < lineEvery) {
			return
		}
		p.lastLine = now
		fmt.Fprintln(p.out, p.prefix()+stepText(pr, p.rate(pr, now)))
	}
}

// end erases the bar: a finished generation is reported by its results.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearBar()
}

// download is the hub's download callback (hub.Options.ProgressFile):
// file is the path in the repository, so a many-file load says which.
func (p *progress) download(file string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := "downloading " + bytesText(done)
	if file != "" {
		msg = "downloading " + file + ": " + bytesText(done)
	}
	if total > 0 {
		msg += fmt.Sprintf(" of %s (%.0f%%)", bytesText(total), 100*float64(done)/float64(total))
	}
	now := p.now()
	switch p.mode {
	case progressBar:
		p.redraw(msg)
	case progressLines:
		if done != total && now.Sub(p.lastLine) < lineEvery {
			return
		}
		p.lastLine = now
		fmt.Fprintln(p.out, msg)
	}
}

func (p *progress) prefix() string {
	if p.label == "" {
		return ""
	}
	return p.label + ": "
}

// rate is the steps per second since step 0 (0 if unknown yet).
func (p *progress) rate(pr ipadapter.Progress, now time.Time) float64 {
	d := now.Sub(p.loopStart).Seconds()
	if pr.Step == 0 || d <= 0 {
		return 0
	}
	return float64(pr.Step) / d
}

// drawBar redraws "label  12/50 [=====>    ] 24%  2.10 it/s  ETA 18s".
func (p *progress) drawBar(pr ipadapter.Progress, now time.Time) {
	total := strconv.Itoa(pr.Total)
	head := fmt.Sprintf("%*d/%s ", len(total), pr.Step, total)
	if p.label == "" {
		head = "step " + head
	} else {
		head = p.prefix() + head
	}
	tail := fmt.Sprintf(" %3d%%", percent(pr)) + rateETA(pr, p.rate(pr, now))
	if pr.Step == pr.Total {
		tail += "  decoding…"
	}
	// The bar keeps its width while the numbers after it change, leaving
	// them room enough ("100%  12.34 it/s  ETA 59m59s").
	const tailRoom = 36
	barWidth := min(40, p.width-len(head)-tailRoom-3)
	if barWidth < 5 {
		p.redraw(head + tail)
		return
	}
	filled := barWidth * pr.Step / max(pr.Total, 1)
	bar := strings.Repeat("=", filled)
	if filled < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-filled-1)
	}
	p.redraw(head + "[" + bar + "]" + tail)
}

// redraw replaces the current terminal line.
func (p *progress) redraw(line string) {
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-1])
	}
	fmt.Fprint(p.bar, "\r\x1b[K"+line)
	p.barShown = true
}

// clearBar removes the bar so that a line of text can be printed.
func (p *progress) clearBar() {
	if p.barShown {
		fmt.Fprint(p.bar, "\r\x1b[K")
		p.barShown = false
	}
}

// stepText is "step 12/50 (24%)  2.10 it/s  ETA 18s".
func stepText(pr ipadapter.Progress, rate float64) string {
	return fmt.Sprintf("step %d/%d (%d%%)", pr.Step, pr.Total, percent(pr)) + rateETA(pr, rate)
}

func percent(pr ipadapter.Progress) int { return 100 * pr.Step / max(pr.Total, 1) }

// rateETA is "  2.10 it/s  ETA 18s" (seconds per step when slower than
// one a second), as much of it as is known.
func rateETA(pr ipadapter.Progress, rate float64) string {
	s := ""
	switch {
	case rate >= 1:
		s += fmt.Sprintf("  %.2f it/s", rate)
	case rate > 0:
		s += fmt.Sprintf("  %.2f s/it", 1/rate)
	}
	if pr.Step > 0 && pr.Step < pr.Total {
		s += "  ETA " + durationText(pr.ETA)
	}
	return s
}

// durationText is a short human duration: "0.4s", "18s", "2m05s", "1h02m".
func durationText(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// bytesText is a size in binary units: "812 KiB", "6.9 GiB".
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i])
}
