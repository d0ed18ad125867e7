package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
)

// num is a float that survives JSON when it is NaN or ±Inf (written as a
// string): a NaN error is a result worth keeping, not an encoding failure.
type num float64

// MarshalJSON writes finite values as numbers and the rest as strings.
func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return json.Marshal(fmt.Sprint(f))
	}
	return json.Marshal(f)
}

// ptr makes an optional num.
func ptr(f float64) *num { n := num(f); return &n }

// Record is one result line of the JSON-lines output.
type Record struct {
	Check     string         `json:"check"`             // env | matmul | attention | overhead
	Case      string         `json:"case,omitempty"`    // e.g. self4096, cross77
	DType     string         `json:"dtype,omitempty"`   // dtype of the computation
	Variant   string         `json:"variant,omitempty"` // fused | decomposed_f32softmax | core_decomposed | f32_reference | …
	Shape     string         `json:"shape,omitempty"`
	Reference string         `json:"reference,omitempty"` // what the errors are measured against
	Fused     *bool          `json:"fused_taken,omitempty"`
	HLOFMHA   *bool          `json:"hlo_has_cudnn_fmha,omitempty"`
	MaxAbs    *num           `json:"max_abs_err,omitempty"`
	RelL2     *num           `json:"rel_l2_err,omitempty"`
	FirstMS   float64        `json:"first_call_ms,omitempty"` // build + compile + first run
	MedianMS  float64        `json:"median_ms,omitempty"`
	MinMS     float64        `json:"min_ms,omitempty"`
	Reps      int            `json:"reps,omitempty"`
	TFLOPS    float64        `json:"tflops,omitempty"`
	Err       string         `json:"error,omitempty"`
	Info      map[string]any `json:"info,omitempty"`
}

// recorder writes records as JSON lines and keeps them for the final table.
type recorder struct {
	mu      sync.Mutex
	out     io.Writer
	records []Record
}

func newRecorder(path string) (*recorder, func(), error) {
	if path == "" {
		return &recorder{}, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &recorder{out: f}, func() { _ = f.Close() }, nil
}

// add stores a record, writes it out, and echoes errors to the log.
func (r *recorder) add(rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	if r.out != nil {
		line, err := json.Marshal(rec)
		if err != nil {
			line, _ = json.Marshal(Record{Check: rec.Check, Case: rec.Case, Err: "encoding record: " + err.Error()})
		}
		_, _ = fmt.Fprintf(r.out, "%s\n", line)
	}
	if rec.Err != "" {
		fmt.Printf("ERROR [%s %s %s %s]: %s\n", rec.Check, rec.Case, rec.DType, rec.Variant, rec.Err)
	}
}

// table renders the summary printed at the end.
func (r *recorder) table() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-9s %-10s %-5s %-22s %-6s %-5s %-10s %-10s %-9s %-9s %s\n",
		"check", "case", "dtype", "variant", "fused", "hlo", "max_abs", "rel_l2", "med_ms", "TFLOP/s", "error")
	recs := append([]Record(nil), r.records...)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Check < recs[j].Check })
	for _, rec := range recs {
		if rec.Check == "env" {
			continue
		}
		errText := rec.Err
		if len(errText) > 60 {
			errText = errText[:57] + "..."
		}
		fmt.Fprintf(&sb, "%-9s %-10s %-5s %-22s %-6s %-5s %-10s %-10s %-9s %-9s %s\n",
			rec.Check, rec.Case, rec.DType, rec.Variant, optBool(rec.Fused), optBool(rec.HLOFMHA),
			optNum(rec.MaxAbs), optNum(rec.RelL2), optF(rec.MedianMS, "%.3f"), optF(rec.TFLOPS, "%.3g"), errText)
	}
	return sb.String()
}

func optBool(b *bool) string {
	if b == nil {
		return "-"
	}
	if *b {
		return "yes"
	}
	return "no"
}

func optNum(n *num) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprintf("%.3g", float64(*n))
}

func optF(f float64, format string) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf(format, f)
}
