package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
)

// runEngine serves the embedded database of DATA_DIR alone, without the web app: for
// mongosh/mongodump while the app is stopped (with EMBEDDED_MONGO_ADDR), and for the test
// suite, which attaches to it so that the engine runs outside the race detector's
// instrumentation. It prints "ready mongodb://<socket>" once the engine answers.
//
// With --exit-on-stdin-eof it also stops when its standard input closes: a test process
// that dies without stopping it closes the pipe, and the engine does not outlive it.
func runEngine(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("db", db.DefaultName, "database name (tests use their own)")
	onEOF := fs.Bool("exit-on-stdin-eof", false, "stop when standard input closes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 2
	}
	if cfg.MongoURI != "" {
		fmt.Fprintln(stderr, "raporrb engine: MONGODB_URI is set; the engine serves the embedded database only")
		return 2
	}
	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})).With("component", "ferretdb")
	e, err := db.StartEngine(openCtx, db.Config{DataDir: cfg.DataDir, ExposeAddr: cfg.ExposeAddr, Name: *name, Sync: cfg.Sync, Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 1
	}
	defer e.Close()
	fmt.Fprintf(stdout, "ready %s\n", e.Socket)
	done := ctx.Done()
	if *onEOF && stdin != nil {
		eof := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, stdin); close(eof) }()
		select {
		case <-done:
		case <-eof:
		}
		return 0
	}
	<-done
	return 0
}
