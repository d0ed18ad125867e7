package wire

import "time"

// Status describes the backend.
type Status struct {
	Version int `json:"version"`
	// Build is the hash of the source the backend was built from ("" when
	// it runs inside a test).
	Build   string    `json:"build"`
	PID     int       `json:"pid"`
	Socket  string    `json:"socket"`
	Log     string    `json:"log,omitempty"`
	Started time.Time `json:"started"`
	// IdleSeconds is how long no request has been served; the backend
	// exits when it reaches IdleTimeoutSeconds (0: never).
	IdleSeconds        float64 `json:"idle_seconds"`
	IdleTimeoutSeconds float64 `json:"idle_timeout_seconds"`
	InFlight           int     `json:"in_flight"`

	Backend   Backend        `json:"backend"`
	Memory    Memory         `json:"memory"`
	Pipelines []PipelineInfo `json:"pipelines"`
}

// Backend is the part of xla.Describe's report a notebook shows.
type Backend struct {
	Name   string `json:"name"`
	Config string `json:"config"`
	DType  string `json:"dtype"`
	// Report is xla.Report.String(): every detail, aligned lines.
	Report string `json:"report"`
	Error  string `json:"error,omitempty"`
}

// Memory is the backend process's memory use. Device memory on a GPU is
// not visible through PJRT; Report lists the GPUs' total memory.
type Memory struct {
	RSSBytes     int64 `json:"rss_bytes"`
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	GoHeapBytes  int64 `json:"go_heap_bytes"`
	HostBytes    int64 `json:"host_bytes"`
}
