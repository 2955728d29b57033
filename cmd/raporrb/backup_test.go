package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/evidence"
	"github.com/rapor-rb/raporrb/app/unit"
)

// `raporrb backup` and `raporrb restore` with the app stopped: progress lines on stdout, the
// data back in an empty DATA_DIR, a non-empty one refused without --force, MongoDB sent to
// mongodump, a DATA_DIR in use refused.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "baru")
	d, err := db.Open(ctx, db.Config{DataDir: src})
	if err != nil {
		t.Fatal(err)
	}
	if err := unit.NewStore(d).Put(ctx, unit.Unit{Code: "kab-uji", Name: "Kabupaten Uji", Kind: unit.Kabupaten, Active: true, TimeZone: "Asia/Jayapura"}); err != nil {
		t.Fatal(err)
	}
	blobs, err := evidence.NewDiskStore(filepath.Join(src, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := blobs.Put(ctx, strings.NewReader("%PDF-1.4\n%%EOF\n"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	archive := filepath.Join(t.TempDir(), "cadangan.tar.gz")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"backup", archive}, env(map[string]string{"DATA_DIR": src}), nil, &out, &errb); code != 0 {
		t.Fatalf("backup = %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "] koleksi units") || !strings.Contains(out.String(), "Cadangan ditulis ke") {
		t.Errorf("backup output:\n%s", out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"restore", archive}, env(map[string]string{"DATA_DIR": dst}), nil, &out, &errb); code != 0 {
		t.Fatalf("restore = %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "dipulihkan") {
		t.Errorf("restore output:\n%s", out.String())
	}
	d, err = db.Open(ctx, db.Config{DataDir: dst})
	if err != nil {
		t.Fatal(err)
	}
	u, err := unit.NewStore(d).ByCode(ctx, "kab-uji")
	if err != nil || u.TimeZone != "Asia/Jayapura" {
		t.Errorf("restored unit = %+v, %v", u, err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "evidence", blob.ID[:2], blob.ID)); err != nil || fmt.Sprintf("%x", sha256.Sum256(b)) != blob.ID {
		t.Errorf("restored evidence: %v", err)
	}
	// The app running on the data directory: its lock refuses the command.
	errb.Reset()
	if code := run(ctx, []string{"restore", archive}, env(map[string]string{"DATA_DIR": dst}), nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "in use") {
		t.Errorf("restore into a running DATA_DIR = %d: %s", code, errb.String())
	}
	d.Close()
	errb.Reset()
	if code := run(ctx, []string{"restore", archive}, env(map[string]string{"DATA_DIR": dst}), nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--force") {
		t.Errorf("restore into a non-empty DATA_DIR = %d: %s", code, errb.String())
	}
	if code := run(ctx, []string{"restore", "--force", archive}, env(map[string]string{"DATA_DIR": dst}), nil, &out, &errb); code != 0 {
		t.Errorf("forced restore = %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run(ctx, []string{"backup", archive}, env(map[string]string{"MONGODB_URI": "mongodb://127.0.0.1:1/x"}), nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "mongodump") {
		t.Errorf("backup on MongoDB = %d: %s", code, errb.String())
	}
	if code := run(ctx, []string{"backup"}, env(nil), nil, &out, &errb); code != 2 {
		t.Errorf("backup without a file = %d", code)
	}
}
