package server

import (
	"context"
	"net/http"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel/wire"
)

// defaultName is the pipeline name used when a request gives none.
const defaultName = "default"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+wire.PathStatus, s.handle(s.handleStatus))
	mux.Handle("POST "+wire.PathShutdown, s.handle(s.handleShutdown))
	mux.Handle("POST "+wire.PathLoad, s.handle(s.handleLoad))
	mux.Handle("POST "+wire.PathClose, s.handle(s.handleClose))
	mux.Handle("POST "+wire.PathAdapters, s.handle(s.handleAdapters))
	mux.Handle("POST "+wire.PathUnloadIP, s.handle(s.handleUnloadAdapters))
	mux.Handle("POST "+wire.PathScale, s.handle(s.handleScale))
	mux.Handle("POST "+wire.PathScheduler, s.handle(s.handleScheduler))
	mux.Handle("POST "+wire.PathGenerate, s.handle(s.handleGenerate))
	mux.Handle("POST "+wire.PathEmbeds, s.handle(s.handleEmbeds))
	mux.Handle("POST "+wire.PathAttention, s.handle(s.handleAttention))
	return mux
}

// handleShutdown answers, then stops the server once the answer is out.
func (s *Server) handleShutdown(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, struct{}{})
	go func() {
		// Let this answer reach the client before the listener closes;
		// running generations get a minute to finish.
		time.Sleep(50 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s.Shutdown(ctx)
	}()
	return nil
}
