package db

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// markerFile records that DATA_DIR holds a database. Its presence with the database file
// missing means the data was lost or the wrong directory was given: start-up refuses rather
// than serve a silently empty database over it.
const markerFile = "raporrb-data.json"

type marker struct {
	Database string    `json:"database"`
	Created  time.Time `json:"created"`
}

// sqliteMagic opens every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Engine is the embedded FerretDB serving one DATA_DIR on a Unix socket. openEmbedded runs
// one inside the application; `raporrb engine` runs one alone, so that tools (mongodump, or the
// tests, which keep the engine out of the race detector's instrumentation) can reach it.
type Engine struct {
	// Socket is the Unix socket the engine listens on.
	Socket string
	// DataDir is the absolute data directory.
	DataDir string
	// Name is the database the application uses.
	Name    string
	closers []func()
}

// Close stops the engine and releases DATA_DIR.
func (e *Engine) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
}

// StartEngine checks DATA_DIR (see checkDataDir), takes its lock and starts the embedded
// engine on a socket inside it; cfg.ExposeAddr also serves it on that loopback TCP address.
func StartEngine(ctx context.Context, cfg Config) (_ *Engine, err error) {
	dir := cfg.DataDir
	if dir == "" {
		dir = "./data"
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	name := cfg.Name
	if name == "" {
		name = DefaultName
	}
	if err := checkDataDir(dir, name); err != nil {
		return nil, err
	}
	sync := cfg.Sync
	switch sync {
	case "":
		sync = "normal"
	case "normal", "full":
	default:
		return nil, fmt.Errorf("EMBEDDED_SYNC must be normal or full, got %q", cfg.Sync)
	}
	e := &Engine{DataDir: dir, Name: name}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()

	// One process per DATA_DIR: the writer lock lives in this process only.
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600) // #nosec G304 -- under DATA_DIR
	if err != nil {
		return nil, fmt.Errorf("DATA_DIR %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("DATA_DIR %s is in use by another raporrb process (embedded mode runs one process per data directory)", dir)
	}
	e.closers = append(e.closers, func() { _ = lock.Close() })

	sock := filepath.Join(dir, "mongo.sock")
	if len(sock) > 100 {
		// Unix socket paths are limited to ~108 bytes; fall back to a private temp dir.
		tmp, err := os.MkdirTemp("", "raporrb-sock")
		if err != nil {
			return nil, err
		}
		e.closers = append(e.closers, func() { _ = os.RemoveAll(tmp) })
		sock = filepath.Join(tmp, "mongo.sock")
	}
	_ = os.Remove(sock) // a stale socket from a killed process; the flock above proves it is ours

	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock, TCP: cfg.ExposeAddr},
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Path: filepath.Join(dir, "db") + "/", RawQuery: "_pragma=busy_timeout(30000)&_pragma=synchronous(" + sync + ")"}).String(),
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded database in %s: %w", dir, err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	e.closers = append(e.closers, func() { stop(); <-done })
	if err := waitForSocket(ctx, sock); err != nil {
		return nil, fmt.Errorf("embedded database did not start: %w", err)
	}
	e.Socket = sock
	return e, nil
}

func openEmbedded(ctx context.Context, cfg Config) (_ *DB, err error) {
	e, err := StartEngine(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d, err := Attach(ctx, e.DataDir, e.Socket, e.Name)
	if err != nil {
		e.Close()
		return nil, err
	}
	// Stop the engine after the client has disconnected and the marker is written.
	d.closers = append([]func(){e.Close}, d.closers...)
	return d, nil
}

// Attach connects to an embedded engine serving dataDir on the Unix socket sock, in this
// process or another: the result keeps the embedded write discipline (one writer lock, the
// _id index of Prepare). Only one process may attach to an engine; its lock is in-process.
func Attach(ctx context.Context, dataDir, sock, name string) (_ *DB, err error) {
	d := &DB{Embedded: true, dataDir: dataDir, writeMu: &sync.Mutex{}, families: &families{locks: map[string]*sync.Mutex{}}, changes: newChanges()}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	uri := "mongodb://" + url.PathEscape(sock) + "/"
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(60 * time.Second).SetMonitor(d.changes.monitor()))
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	d.Client = client
	d.closers = append(d.closers, func() { _ = client.Disconnect(context.Background()) })
	d.Database = client.Database(name)
	if err := d.ping(ctx); err != nil {
		return nil, fmt.Errorf("embedded database in %s does not answer: %w", dataDir, err)
	}
	// Listing collections opens the SQLite file: a corrupted file fails here, at start-up.
	if _, err := d.Database.ListCollectionNames(ctx, map[string]any{}); err != nil {
		return nil, fmt.Errorf("DATA_DIR %s: the database cannot be read (%v); restore it from a backup or move it aside", dataDir, err)
	}
	// The SQLite file appears with the first collection; mark DATA_DIR once it exists.
	if err := writeMarker(dataDir, name); err != nil {
		return nil, err
	}
	d.closers = append([]func(){func() { _ = writeMarker(dataDir, name) }}, d.closers...)
	return d, nil
}

// checkDataDir creates DATA_DIR on the first run and refuses a directory whose database has
// gone missing or does not look like SQLite.
func checkDataDir(dir, name string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
			return fmt.Errorf("DATA_DIR %s cannot be created: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("DATA_DIR %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("DATA_DIR %s is not a directory", dir)
	}
	dbFile := filepath.Join(dir, "db", name+".sqlite")
	if b, err := os.ReadFile(filepath.Join(dir, markerFile)); err == nil { // #nosec G304 -- under DATA_DIR
		var m marker
		if err := json.Unmarshal(b, &m); err != nil || m.Database == "" {
			return fmt.Errorf("DATA_DIR %s: %s is damaged; restore it from a backup", dir, markerFile)
		}
		held := filepath.Join(dir, "db", m.Database+".sqlite")
		if _, err := os.Stat(held); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("DATA_DIR %s held a database but %s is missing; restore it from a backup, or remove %s to start empty", dir, held, filepath.Join(dir, markerFile))
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		return fmt.Errorf("DATA_DIR %s: %w", dir, err)
	}
	head := make([]byte, len(sqliteMagic))
	fh, err := os.Open(dbFile) // #nosec G304 -- the database file under DATA_DIR, set by the operator
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("DATA_DIR %s: %w", dir, err)
	}
	defer fh.Close()
	if _, err := io.ReadFull(fh, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return fmt.Errorf("DATA_DIR %s: %s is not a SQLite database (corrupted?); restore it from a backup or move it aside", dir, dbFile)
	}
	return nil
}

func writeMarker(dir, name string) error {
	p := filepath.Join(dir, markerFile)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "db", name+".sqlite")); err != nil {
		return nil // nothing stored yet
	}
	b, _ := json.Marshal(marker{Database: name, Created: time.Now().UTC()})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return fmt.Errorf("DATA_DIR %s: %w", dir, err)
	}
	return nil
}

func waitForSocket(ctx context.Context, path string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("unix", path)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
