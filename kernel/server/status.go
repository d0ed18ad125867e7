package server

import (
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/internal/procstatus"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) error {
	st := wire.Status{
		Version: wire.Version, Build: s.opts.Build, PID: os.Getpid(),
		Socket: s.socket, Log: s.opts.LogPath, Started: s.started,
		IdleTimeoutSeconds: s.opts.IdleTimeout.Seconds(),
		// This request is in flight itself.
		InFlight: int(s.inFlight.Load()) - 1,
	}
	st.IdleSeconds = time.Since(time.Unix(0, s.lastDone.Load())).Seconds()
	if st.InFlight > 0 {
		st.IdleSeconds = 0
	}
	st.Backend = describeBackend()
	st.Memory = memory()
	st.Pipelines = s.pipelineInfos()
	writeJSON(w, st)
	return nil
}

var (
	backendOnce sync.Once
	backendInfo wire.Backend
	hostBytes   int64
)

// describeBackend reports xla.Describe once: it runs nvidia-smi and asks
// the plugin, which is not free, and none of it changes while running.
func describeBackend() wire.Backend {
	backendOnce.Do(func() {
		rep, err := xla.Describe()
		backendInfo = wire.Backend{Name: rep.Backend, Config: rep.Config, Report: rep.String()}
		if rep.ComputeDType != 0 {
			backendInfo.DType = rep.ComputeDType.String()
		}
		if err != nil {
			backendInfo.Error = err.Error()
		}
		hostBytes = rep.HostMemoryBytes
	})
	return backendInfo
}

// memory reads the process's resident memory from /proc (Linux; zeros
// elsewhere) and the Go heap from the runtime.
func memory() wire.Memory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, _ := procstatus.Read() // nil (zeros) where there is no /proc
	return wire.Memory{
		RSSBytes: st["VmRSS"], PeakRSSBytes: st["VmHWM"],
		GoHeapBytes: int64(ms.HeapAlloc), HostBytes: hostBytes,
	}
}
