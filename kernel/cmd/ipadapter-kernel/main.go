// Command ipadapter-kernel is the notebooks' resident backend (package
// kernel/server). Notebook cells start it through kernel.Connect; run by
// hand it serves, or with -status / -shutdown asks the running one.
//
//	ipadapter-kernel [-socket path] [-idle 30m]   serve
//	ipadapter-kernel -status                      print the running backend's status
//	ipadapter-kernel -shutdown                    stop the running backend
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seed11f6bdef/gonb-ipadapter/kernel"
	"github.com/seed11f6bdef/gonb-ipadapter/kernel/server"
)

func main() {
	socket := flag.String("socket", "", "unix socket to serve on (default: kernel.sock in the runtime folder)")
	idle := flag.Duration("idle", 30*time.Minute, "exit after this long without requests (0: never)")
	build := flag.String("build", "", "source hash this binary was built from (set by kernel.Connect)")
	logPath := flag.String("log", "", "log file to report in the status (output goes to stderr)")
	status := flag.Bool("status", false, "print the running backend's status as JSON and exit")
	shutdown := flag.Bool("shutdown", false, "ask the running backend to exit")
	flag.Parse()
	if err := run(*socket, *idle, *build, *logPath, *status, *shutdown); err != nil {
		fmt.Fprintln(os.Stderr, "ipadapter-kernel: exiting with error:", err)
		os.Exit(1)
	}
}

func run(socket string, idle time.Duration, build, logPath string, status, shutdown bool) error {
	if socket == "" {
		dir, err := kernel.RuntimeDir()
		if err != nil {
			return err
		}
		socket = kernel.SocketPath(dir)
		if logPath == "" {
			logPath = kernel.LogPath(dir)
		}
	}
	if status || shutdown {
		return ask(socket, logPath, shutdown)
	}
	lg := log.New(os.Stderr, fmt.Sprintf("ipadapter-kernel[%d] ", os.Getpid()), log.LstdFlags|log.Lmicroseconds)
	srv := server.New(server.Options{IdleTimeout: idle, Build: build, Log: lg, LogPath: logPath})
	// SIGTERM/SIGINT stop it cleanly (pipelines freed, socket removed).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sig
		lg.Printf("%s: shutting down", s)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	err := srv.ListenAndServe(socket)
	os.Remove(socket)
	lg.Printf("stopped")
	return err
}

// ask prints the status of, or stops, the backend on socket.
func ask(socket, logPath string, shutdown bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := kernel.Dial(ctx, socket, logPath)
	if err != nil {
		return err
	}
	if shutdown {
		return c.Shutdown(ctx)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}
