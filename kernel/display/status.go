package display

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
)

// StatusHTML renders the backend's status: device, memory, pipelines.
func StatusHTML(st *kernel.Status) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<p><b>Backend</b> pid %d, up %s, build %s — %s (%s)`,
		st.PID, time.Since(st.Started).Round(time.Second), html.EscapeString(st.Build),
		html.EscapeString(st.Backend.Name), html.EscapeString(st.Backend.DType))
	fmt.Fprintf(&b, `; memory %s resident (peak %s), Go heap %s`, gb(st.Memory.RSSBytes), gb(st.Memory.PeakRSSBytes), gb(st.Memory.GoHeapBytes))
	if st.Log != "" {
		fmt.Fprintf(&b, `; log <code>%s</code>`, html.EscapeString(st.Log))
	}
	b.WriteString(`</p>`)
	if st.Backend.Error != "" {
		fmt.Fprintf(&b, `<p style="color: #b00020;">%s</p>`, html.EscapeString(st.Backend.Error))
	}
	b.WriteString(`<table><tr><th>pipeline</th><th>model</th><th>adapters</th><th>scale</th><th>scheduler</th><th>runs</th><th>s/step first → last</th><th>compiled graphs</th></tr>`)
	for _, p := range st.Pipelines {
		adapters := "—"
		if p.Adapters != nil {
			adapters = strings.Join(p.Adapters.WeightNames, ", ")
		}
		scale := string(p.Scale)
		if scale == "" && p.NumAdapters > 0 {
			scale = "1"
		}
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td>%d</td><td>%.3f → %.3f</td><td>%s</td></tr>`,
			html.EscapeString(p.Name), html.EscapeString(p.Load.Model), html.EscapeString(adapters), html.EscapeString(scale),
			html.EscapeString(p.Scheduler), p.Generations, p.FirstStepSeconds, p.LastStepSeconds, html.EscapeString(CompilationsText(p.Compilations)))
	}
	b.WriteString(`</table>`)
	fmt.Fprintf(&b, `<details><summary>device report</summary><pre>%s</pre></details>`, html.EscapeString(st.Backend.Report))
	return b.String()
}

// ShowStatus shows StatusHTML.
func ShowStatus(st *kernel.Status) { gonbui.DisplayHTML(StatusHTML(st)) }

func gb(n int64) string { return fmt.Sprintf("%.2f GB", float64(n)/1e9) }
