package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/adapter"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/hub"
	"github.com/seed11f6bdef/gonb-ipadapter/ipadapter/scheduler"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
	"github.com/seed11f6bdef/gonb-ipadapter/xla"
)

// entry is one named pipeline. Its mutex makes a multi-call operation
// (set the scale, then generate) atomic against other clients; the
// pipeline serialises its own methods anyway.
type entry struct {
	mu   sync.Mutex
	pipe *ipadapter.Pipeline
	info wire.PipelineInfo
	// downloads receives the hub's progress for this pipeline's files.
	downloads *sink
	// published is the latest description (publish), read by status
	// requests without the lock, which a generation holds for minutes.
	published atomic.Pointer[wire.PipelineInfo]
}

func (e *entry) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pipe != nil {
		e.pipe.Close()
		e.pipe = nil
	}
}

// checkOpen fails once the pipeline was closed (a close or a reload
// under the same name took it while the caller waited for e.mu, which it
// now holds).
func (e *entry) checkOpen() error {
	if e.pipe == nil {
		return fmt.Errorf("pipeline %q was closed", e.info.Name)
	}
	return nil
}

// publish describes the entry for status answers and returns the
// description. The caller holds mu, and the pipeline is idle (its methods
// would wait for a running generation).
func (e *entry) publish() wire.PipelineInfo {
	info := e.info
	if e.pipe != nil {
		info.NumAdapters = e.pipe.NumIPAdapters()
		info.Scheduler, _ = e.pipe.Scheduler()
		info.Notes = e.pipe.Notes()
		info.Compilations = compilations(e.pipe.Compilations())
	}
	e.published.Store(&info)
	return info
}

// lookup returns the named pipeline.
func (s *Server) lookup(name string) (*entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.pipelines[name]
	if e == nil {
		return nil, notFound("no pipeline %q is loaded (load it first)", name)
	}
	return e, nil
}

// pipelineInfos lists the loaded pipelines by name.
func (s *Server) pipelineInfos() []wire.PipelineInfo {
	s.mu.Lock()
	entries := make([]*entry, 0, len(s.pipelines))
	for _, e := range s.pipelines {
		entries = append(entries, e)
	}
	s.mu.Unlock()
	var out []wire.PipelineInfo
	for _, e := range entries {
		if info := e.published.Load(); info != nil {
			out = append(out, *info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sameLoad reports whether two load requests load the same thing.
func sameLoad(a, b wire.LoadRequest) bool {
	a.Reload, b.Reload = false, false
	return reflect.DeepEqual(a, b)
}

func (s *Server) handleLoad(w http.ResponseWriter, r *http.Request) error {
	var req wire.LoadRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	if req.Name == "" {
		req.Name = defaultName
	}
	if req.Model == "" {
		return badRequest("load: no model given")
	}
	opts, err := loadOptions(req)
	if err != nil {
		return badRequest("load: %w", err)
	}
	st := newStream(w)
	downloads := &sink{}
	opts.Hub.ProgressFile = downloads.report
	detach := downloads.attach(st.downloadProgress)
	info, err := s.load(r.Context(), req, opts, downloads)
	detach()
	st.finish(wire.Event{Pipeline: info}, err)
	return nil
}

// load loads a pipeline under req.Name, or returns the loaded one when
// the arguments are unchanged.
func (s *Server) load(ctx context.Context, req wire.LoadRequest, opts ipadapter.Options, downloads *sink) (*wire.PipelineInfo, error) {
	s.mu.Lock()
	old := s.pipelines[req.Name]
	s.mu.Unlock()
	if old != nil {
		old.mu.Lock()
		same := old.pipe != nil && sameLoad(old.info.Load, req) && !req.Reload
		info := old.publish()
		old.mu.Unlock()
		if same {
			info.Reused = true
			return &info, nil
		}
		// Free the old one first: two SDXL pipelines may not fit.
		s.mu.Lock()
		if s.pipelines[req.Name] == old {
			delete(s.pipelines, req.Name)
		}
		s.mu.Unlock()
		old.close()
	}
	start := time.Now()
	var pipe *ipadapter.Pipeline
	var err error
	if req.SingleFile {
		pipe, err = ipadapter.FromSingleFile(ctx, req.Model, opts)
	} else {
		pipe, err = ipadapter.FromPretrained(ctx, req.Model, opts)
	}
	if err != nil {
		return nil, err
	}
	h, wd, err := pipe.DefaultSize()
	if err != nil {
		pipe.Close()
		return nil, err
	}
	e := &entry{pipe: pipe, downloads: downloads}
	e.info = wire.PipelineInfo{Name: req.Name, Load: req, LoadSeconds: time.Since(start).Seconds(), DefaultHeight: h, DefaultWidth: wd}
	e.info.Load.Reload = false
	s.mu.Lock()
	if prev := s.pipelines[req.Name]; prev != nil {
		// Another client loaded the same name meanwhile; keep the newest.
		defer prev.close()
	}
	s.pipelines[req.Name] = e
	s.mu.Unlock()
	e.mu.Lock()
	info := e.publish()
	e.mu.Unlock()
	return &info, nil
}

// loadOptions converts a load request to the library's options.
func loadOptions(req wire.LoadRequest) (ipadapter.Options, error) {
	opts := ipadapter.Options{
		Variant:      req.Variant,
		Hub:          hub.Options{Revision: req.Revision, Offline: req.Offline},
		VAE:          ipadapter.ComponentRef(req.VAE),
		Config:       req.Config,
		ImageEncoder: ipadapter.ComponentRef(req.ImageEncoder),
	}
	if req.DType != "" {
		dt, err := xla.ParseDType(req.DType)
		if err != nil {
			return opts, err
		}
		opts.DType = dt
	}
	return opts, nil
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) error {
	name := nameOf(r, wire.PathClose)
	s.mu.Lock()
	e := s.pipelines[name]
	delete(s.pipelines, name)
	s.mu.Unlock()
	if e == nil {
		return notFound("no pipeline %q is loaded", name)
	}
	e.close()
	writeJSON(w, struct{}{})
	return nil
}

func (s *Server) handleAdapters(w http.ResponseWriter, r *http.Request) error {
	var req wire.AdapterRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	e, err := s.lookup(nameOf(r, wire.PathAdapters))
	if err != nil {
		return err
	}
	st := newStream(w)
	info, err := e.loadAdapters(r.Context(), req, st.downloadProgress)
	st.finish(wire.Event{Pipeline: info}, err)
	return nil
}

// loadAdapters loads IP-Adapters unless the same files are loaded. The
// library replaces the loaded adapters (and the image encoder they
// brought, when the new ones need another) only once the new ones have
// loaded, so a failed load keeps them, and the description with them.
func (e *entry) loadAdapters(ctx context.Context, req wire.AdapterRequest, progress func(file string, done, total int64)) (*wire.PipelineInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	reload := req.Reload
	req.Reload = false
	if !reload && e.info.Adapters != nil && reflect.DeepEqual(*e.info.Adapters, req) && e.pipe.NumIPAdapters() > 0 {
		info := e.publish()
		info.Reused = true
		return &info, nil
	}
	defer e.downloads.attach(progress)()
	err := e.pipe.LoadIPAdapterFrom(ctx, ipadapter.IPAdapterSource{
		Repo: req.Repo, Subfolder: req.Subfolder, WeightNames: req.WeightNames, Revision: req.Revision,
		ImageEncoderFolder: req.ImageEncoderFolder, NoImageEncoder: req.NoImageEncoder,
	})
	if err != nil {
		return nil, err
	}
	e.info.Adapters, e.info.Scale = &req, nil
	info := e.publish()
	return &info, nil
}

func (s *Server) handleUnloadAdapters(w http.ResponseWriter, r *http.Request) error {
	e, err := s.lookup(nameOf(r, wire.PathUnloadIP))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkOpen(); err != nil {
		return err
	}
	if err := e.pipe.UnloadIPAdapter(); err != nil {
		return err
	}
	e.info.Adapters, e.info.Scale = nil, nil
	writeJSON(w, e.publish())
	return nil
}

func (s *Server) handleScale(w http.ResponseWriter, r *http.Request) error {
	var req wire.ScaleRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	e, err := s.lookup(nameOf(r, wire.PathScale))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.setScale(req.Scale); err != nil {
		return err
	}
	writeJSON(w, e.publish())
	return nil
}

// setScale applies set_ip_adapter_scale's JSON argument (the caller holds
// e.mu).
func (e *entry) setScale(raw json.RawMessage) error {
	if err := e.checkOpen(); err != nil {
		return err
	}
	scales, err := adapter.ParseScales(raw)
	if err != nil {
		return badRequest("scale %s: %w", raw, err)
	}
	if err := e.pipe.SetIPAdapterScale(scales...); err != nil {
		return badRequest("%w", err)
	}
	e.info.Scale = append(json.RawMessage(nil), raw...)
	return nil
}

func (s *Server) handleScheduler(w http.ResponseWriter, r *http.Request) error {
	var req wire.SchedulerRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	var overrides scheduler.Config
	if len(req.Overrides) > 0 {
		if err := strictUnmarshal(req.Overrides, &overrides); err != nil {
			return badRequest("scheduler overrides: %w", err)
		}
	}
	e, err := s.lookup(nameOf(r, wire.PathScheduler))
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkOpen(); err != nil {
		return err
	}
	if err := e.pipe.SetScheduler(req.Class, overrides); err != nil {
		return badRequest("%w", err)
	}
	writeJSON(w, e.publish())
	return nil
}
