package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

const usage = `Usage: go run . serve [--exe PATH] [--listen ADDR] --settings FILE [--multi-status] [--quiet]

Launches the SimViz backend plugin as Grafana's plugin manager does and serves Grafana's
HTTP routes for it:

  POST /api/ds/query                                   QueryData
  GET|POST|PUT|DELETE|PATCH /api/datasources/uid/{uid}/resources/{path...}   CallResource
  GET  /api/datasources/uid/{uid}/health               CheckHealth
  GET  /api/datasources/uid/{uid}                      the datasource
  GET  /api/health                                     this server

FILE holds {"uid":..., "name":..., "jsonData":{...}, "secureJsonData":{...}} or a list of them.
Prints "listening http://HOST:PORT" on stdout when ready; stops the plugin on SIGTERM, SIGINT, or
when its standard input (a pipe) is closed.
`

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "bench" {
		if err := benchMain(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprint(os.Stderr, usage+"\n"+benchUsage)
		os.Exit(2)
	}
	if err := serveMain(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "serve: %v\n", err)
		os.Exit(1)
	}
}

func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	defaultExe := os.Getenv("SIMVIZ_BACKEND")
	if defaultExe == "" {
		defaultExe = DefaultBackend
	}
	exe := fs.String("exe", defaultExe, "the plugin executable")
	listen := fs.String("listen", "127.0.0.1:0", "HTTP listen address")
	settingsFile := fs.String("settings", "", "datasource settings JSON file")
	multiStatus := fs.Bool("multi-status", false, "answer 207 instead of 400 when a query failed (Grafana's datasourceQueryMultiStatus toggle)")
	quiet := fs.Bool("quiet", false, "do not copy the plugin's log to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *settingsFile == "" {
		return fmt.Errorf("--settings is required")
	}
	raw, err := os.ReadFile(*settingsFile)
	if err != nil {
		return err
	}
	list, err := LoadSettings(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", *settingsFile, err)
	}
	datasources := map[string]*backend.DataSourceInstanceSettings{}
	for _, s := range list {
		ds := s.Instance()
		datasources[ds.UID] = ds
	}
	logger := log.New(os.Stderr, "grafana-host: ", log.LstdFlags)
	var tee io.Writer = os.Stderr
	if *quiet {
		tee = nil
	}
	sup, err := NewSupervisor(Options{Exe: *exe, LogTee: tee}, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		sup.Stop()
		return err
	}
	server := &Server{Plugins: sup, Datasources: datasources, MultiStatus: *multiStatus, Log: logger}
	srv := &http.Server{Handler: server.Handler(), ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A closed stdin stops serve mode, when stdin is a pipe (not /dev/null or a terminal).
	if info, err := os.Stdin.Stat(); err == nil && info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			logger.Printf("stdin closed; stopping")
			cancel()
		}()
	}
	fmt.Printf("listening http://%s\n", ln.Addr().String())
	return Serve(ctx, ln, srv, server)
}
