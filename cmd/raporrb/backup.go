package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/rapor-rb/raporrb/app/backup"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/server"
)

const backupUsage = `usage: raporrb backup FILE            write DATA_DIR's database and evidence to FILE (tar.gz)
       raporrb restore [--force] FILE  load FILE into DATA_DIR (refuses a non-empty one without --force)
Embedded engine only, with the app stopped. On MongoDB use mongodump/mongorestore (see the README).`

// runBackup implements `raporrb backup` and `raporrb restore`: 0 on success, 1 on failure
// (one line on stderr), 2 on a usage error. Progress goes to stdout, a line per step.
func runBackup(ctx context.Context, cmd string, args []string, getenv func(string) string, cat *instrument.Catalog, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "restore: replace what DATA_DIR holds")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || (cmd == "backup" && *force) {
		fmt.Fprintln(stderr, backupUsage)
		return 2
	}
	file := fs.Arg(0)
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 2
	}
	if cfg.MongoURI != "" {
		fmt.Fprintf(stderr, "raporrb %s: MONGODB_URI is set; back up MongoDB with mongodump (GridFS included), see the README\n", cmd)
		return 2
	}
	if cmd == "restore" {
		if _, err := os.Stat(file); err != nil { // #nosec G703 -- the operator's own command-line argument
			fmt.Fprintf(stderr, "raporrb restore: %v\n", err)
			return 1
		}
	}
	openCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})).With("component", "ferretdb")
	d, err := db.Open(openCtx, db.Config{DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "raporrb:", err)
		return 1
	}
	defer d.Close()
	progress := func(i, n int, what string) {
		if n > 0 {
			fmt.Fprintf(stdout, "[%d/%d] %s\n", i, n, what)
		} else {
			fmt.Fprintf(stdout, "… %s\n", what)
		}
	}
	evidenceDir := filepath.Join(cfg.DataDir, "evidence")
	if cmd == "backup" {
		err = writeBackup(ctx, d, evidenceDir, file, progress, stdout)
	} else {
		err = readBackup(ctx, d, evidenceDir, file, *force, cat, progress, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "raporrb %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func writeBackup(ctx context.Context, d *db.DB, evidenceDir, file string, progress backup.Progress, stdout io.Writer) error {
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600) // #nosec G304 G703 -- the operator's own command-line argument
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	m, err := backup.Write(ctx, d, evidenceDir, f, progress)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil { // #nosec G703 -- the operator's own command-line argument
		return err
	}
	docs := 0
	for _, n := range m.Collections {
		docs += n
	}
	fmt.Fprintf(stdout, "Cadangan ditulis ke %s: %d koleksi, %d dokumen, %d berkas bukti (%d bita).\n", file, len(m.Collections), docs, m.Evidence, m.Bytes)
	return nil
}

func readBackup(ctx context.Context, d *db.DB, evidenceDir, file string, force bool, cat *instrument.Catalog, progress backup.Progress, stdout io.Writer) error {
	f, err := os.Open(file) // #nosec G304 G703 -- the operator's own command-line argument
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := backup.Restore(ctx, d, evidenceDir, f, force, progress)
	if errors.Is(err, backup.ErrNotEmpty) {
		return fmt.Errorf("DATA_DIR already holds data; restore into an empty DATA_DIR, or add --force to replace it")
	}
	if err != nil {
		return err
	}
	// Indexes, the engine's _id index and migrations, as at every start.
	if err := server.NewStores(d, cat, time.Now).EnsureIndexes(ctx); err != nil {
		return fmt.Errorf("preparing the restored database: %w", err)
	}
	fmt.Fprintf(stdout, "Cadangan %s (dibuat %s) dipulihkan: %d koleksi, %d berkas bukti.\n", file, m.Created.Format(time.RFC3339), len(m.Collections), m.Evidence)
	return nil
}
