// Package dbtest gives tests a real database: the embedded engine in a temporary directory,
// or the MongoDB named by MONGODB_URI when it is set. Never a mock.
package dbtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
)

// EngineEnv names a `raporrb` binary built without the race detector (make test builds one).
// When set, MustStart runs the embedded engine in that separate process and attaches to it:
// the tests' own code stays race-checked, while the engine (FerretDB and SQLite, whose race
// builds also switch on FerretDB's debug mode) runs at its normal speed, about 8× faster.
// Unset, the engine runs inside the test process.
const EngineEnv = "RAPORRB_TEST_ENGINE"

// dbName is the database the tests' engine holds (each test then takes its own by name).
const dbName = "raporrb_test"

// MustStart opens the test engine once for a test package (call it from TestMain) and returns
// it with a function that stops it and removes its files.
func MustStart() (*db.DB, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		d, err := db.Open(ctx, db.Config{URI: uri, Name: dbName})
		if err != nil {
			panic(fmt.Sprintf("dbtest: %v", err))
		}
		return d, d.Close
	}
	dir, err := os.MkdirTemp("", "raporrb-db")
	if err != nil {
		panic(err)
	}
	if bin := os.Getenv(EngineEnv); bin != "" {
		d, stop, err := startExternal(ctx, bin, dir)
		if err != nil {
			_ = os.RemoveAll(dir)
			panic(fmt.Sprintf("dbtest: %s=%s: %v", EngineEnv, bin, err))
		}
		return d, func() { stop(); _ = os.RemoveAll(dir) }
	}
	d, err := db.Open(ctx, db.Config{DataDir: dir, Name: dbName})
	if err != nil {
		panic(fmt.Sprintf("dbtest: %v", err))
	}
	return d, func() {
		d.Close()
		_ = os.RemoveAll(dir)
	}
}

// startExternal runs `bin engine` on dir and attaches to it. The engine stops when its
// standard input closes: by stop, or by the test process dying.
func startExternal(ctx context.Context, bin, dir string) (*db.DB, func(), error) {
	cmd := exec.Command(bin, "engine", "--db", dbName, "--exit-on-stdin-eof") // #nosec G702 -- tests only: the engine binary make test built (RAPORRB_TEST_ENGINE)
	cmd.Env = append(os.Environ(), "DATA_DIR="+dir, "MONGODB_URI=", "EMBEDDED_MONGO_ADDR=")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() {
		_ = in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, out)
	}()
	var sock string
	select {
	case line := <-ready:
		var ok bool
		if sock, ok = strings.CutPrefix(line, "ready "); !ok {
			stop()
			return nil, nil, fmt.Errorf("engine did not start (it printed %q)", line)
		}
	case <-ctx.Done():
		stop()
		return nil, nil, fmt.Errorf("engine did not start: %w", ctx.Err())
	}
	d, err := db.Attach(ctx, dir, sock, dbName)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return d, func() { d.Close(); stop() }, nil
}

// Fresh returns a database of the test's own, dropped when the test ends, on the connection
// of base. Tests that share a package engine stay independent this way.
func Fresh(tb testing.TB, base *db.DB) *db.DB {
	tb.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	d := base.WithName("t_" + hex.EncodeToString(b[:]))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = d.Database.Drop(ctx)
	})
	return d
}

// Main runs a package's tests with the test engine started once in *engine, stops it after,
// and returns the exit code: `func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }`.
func Main(m *testing.M, engine **db.DB) int {
	var stop func()
	*engine, stop = MustStart()
	defer stop()
	return m.Run()
}
