// Command raporrb runs Rapor RB: `raporrb` (or `raporrb serve`) serves the web app,
// `raporrb seed --demo` fills an empty database with the demo kabupaten, `raporrb score`
// scores an answers file, `raporrb instruments validate FILE` checks an instrument sheet.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/server"
	"github.com/rapor-rb/raporrb/app/survey"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage:
  raporrb [serve]                          serve the web app (seeds the demo on an empty database)
  raporrb seed --demo                      fill an empty database with the demo kabupaten
  raporrb score -instrument ID [-previous WBK] [FILE|-]   score an answers file (JSON)
  raporrb instruments validate FILE        check an instrument sheet (YAML)
  raporrb instruments list                 list the embedded instruments
  raporrb engine                           serve only the embedded database of DATA_DIR (app stopped)
  raporrb backup FILE                      write the database and evidence of DATA_DIR to FILE (app stopped)
  raporrb restore [--force] FILE           load FILE into an empty DATA_DIR (--force: replace its data)`

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	// A bad instrument file stops every command with one line naming file, code and problem.
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 1
	}
	switch cmd {
	case "score":
		return runScore(args, stdin, stdout, stderr, cat)
	case "instruments":
		return runInstruments(args, stdout, stderr)
	case "engine":
		return runEngine(ctx, args, getenv, stdin, stdout, stderr)
	case "backup", "restore":
		return runBackup(ctx, cmd, args, getenv, cat, stdout, stderr)
	case "serve", "seed":
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "raporrb: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	if cmd == "seed" && (len(args) != 1 || args[0] != "--demo") {
		fmt.Fprintln(stderr, "raporrb seed: only --demo is supported\n"+usage)
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := serveOrSeed(ctx, cmd, cfg, cat, log, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 1
	}
	return 0
}

func serveOrSeed(ctx context.Context, cmd string, cfg config, cat *instrument.Catalog, log *slog.Logger, stdout, stderr io.Writer) error {
	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The engine logs its own failures (a panic in a handler, a broken file) at error level.
	engineLog := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})).With("component", "ferretdb")
	d, err := db.Open(openCtx, db.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, ExposeAddr: cfg.ExposeAddr, Sync: cfg.Sync, Logger: engineLog})
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Embedded {
		log.Info("embedded database", "data_dir", cfg.DataDir, "mongo_addr", cfg.ExposeAddr)
	}
	st := server.NewStores(d, cat, time.Now)
	if err := st.EnsureIndexes(openCtx); err != nil {
		return fmt.Errorf("creating indexes: %w", err)
	}
	// Instruments an admin uploaded join the embedded ones, validated as they are.
	if err := st.Instruments.LoadInto(openCtx, cat); err != nil {
		return fmt.Errorf("uploaded instruments: %w", err)
	}
	n, err := st.Users.Count(openCtx)
	if err != nil {
		return err
	}
	if cmd == "seed" || (n == 0 && cfg.SeedDemo) {
		if n > 0 {
			return errors.New("the database already has users; the demo is seeded only into an empty database")
		}
		if err := seedDemo(ctx, cfg, cat, st, stdout); err != nil {
			return err
		}
		if cmd == "seed" {
			return nil
		}
	}

	if err := st.EnsureBoards(openCtx); err != nil {
		return fmt.Errorf("building the ranking boards: %w", err)
	}
	if err := st.SyncSurveys(openCtx, cat, log); err != nil {
		return fmt.Errorf("bringing survey results to their sheets: %w", err)
	}
	st.SurveySync, st.PublicURL = survey.DefaultSyncDelay, cfg.PublicURL
	vendor := os.DirFS(cfg.VendorDir)
	if _, err := fs.Stat(vendor, "echarts.min.js"); err != nil {
		log.Warn("front-end assets missing; run `make assets` (make run does it)", "dir", cfg.VendorDir)
	}
	blobs, err := server.NewBlobs(openCtx, d, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("evidence store: %w", err)
	}
	srv, err := server.New(web.Config{CookieSecure: cfg.CookieSecure, SessionTTL: cfg.SessionTTL, UploadMax: int64(cfg.UploadMaxMB) << 20,
		LoginMaxPerAccount: cfg.LoginMaxPerAcc, LoginMaxPerAddress: cfg.LoginMaxPerIP, LoginDelayMax: cfg.LoginDelayMax,
		TrustedProxies: cfg.TrustedProxies}, st, blobs, cat, vendor, log)
	if err != nil {
		return err
	}
	go purgeSessions(ctx, st, log)
	fmt.Fprintf(stdout, "Rapor RB siap di http://%s\n", cfg.Addr)
	return srv.Listen(ctx, cfg.Addr)
}

func seedDemo(ctx context.Context, cfg config, cat *instrument.Catalog, st server.Stores, stdout io.Writer) error {
	t0 := time.Now()
	res, err := demo.Run(ctx, cat, demo.Stores{Units: st.Units, Users: st.Users, Assignments: st.Assignments,
		Periods: st.Periods, Assessments: st.Assessments, Eligibility: st.Eligibility}, demo.Options{Now: time.Now(), Password: cfg.DemoPassword})
	if err != nil {
		return fmt.Errorf("seeding the demo: %w", err)
	}
	fmt.Fprintf(stdout, "Data contoh dibuat: %d unit, %d penilaian (%.1fs).\n", res.Units, res.Assessments, time.Since(t0).Seconds())
	file := ""
	if cfg.DemoPassword == "" {
		file = filepath.Join(cfg.DataDir, "demo-accounts.txt")
		if err := demo.WriteAccounts(file, res.Accounts); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "Akun demo (nama pengguna / kata sandi):")
	for _, a := range res.Accounts[:5] {
		fmt.Fprintf(stdout, "  %-10s %-18s %s\n", a.Role, a.Username, a.Password)
	}
	if file != "" {
		fmt.Fprintf(stdout, "Semua %d akun (camat.<kode> dan staf.<kode> untuk tiap kecamatan) ada di %s.\n", len(res.Accounts), file)
	}
	return nil
}

// purgeSessions deletes expired sessions hourly: the embedded engine has no TTL indexes.
func purgeSessions(ctx context.Context, st server.Stores, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.Users.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purging sessions", "err", err)
		} else if n > 0 {
			log.Info("purged expired sessions", "n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
