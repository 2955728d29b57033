package evidence

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func findProjection(fields ...string) *options.FindOptionsBuilder {
	p := bson.D{}
	for _, f := range fields {
		p = append(p, bson.E{Key: f, Value: 1})
	}
	return options.Find().SetProjection(p)
}

// Evidence may be personal data: only the app's user may read it.
func TestDiskStorePermissions(t *testing.T) {
	s := newDiskStore(t)
	b, err := s.Put(context.Background(), bytes.NewReader(pngBytes(t, 3)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		s.tmp: 0o700 | os.ModeDir, filepath.Dir(s.path(b.ID)): 0o700 | os.ModeDir, s.path(b.ID): 0o600,
	} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, info.Mode(), want)
		}
	}
}

// A crash between staging and rename leaves a file in tmp; the next start removes it once it
// is old enough not to belong to an upload in flight.
func TestNewDiskStoreSweepsStaleStaging(t *testing.T) {
	s := newDiskStore(t)
	stale, fresh := filepath.Join(s.tmp, "upload-stale"), filepath.Join(s.tmp, "upload-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("%PDF-1.4 partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleAfter)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDiskStore(s.dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale staging file survived: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh staging file was removed: %v", err)
	}
}

// Two app instances on one MongoDB can upload the same bytes at once; the one whose files
// document lands second hits the unique index. It must count as success and take its chunks
// with it. Simulated by uploading a second copy directly, past Put's "already stored" checks.
func TestGridFSUploadLosingRaceCleansUp(t *testing.T) {
	s := newGridFSStore(t)
	ctx := context.Background()
	body := pdfOfSize(600 << 10) // three chunks
	if _, err := s.Put(ctx, bytes.NewReader(body), 1<<20); err != nil {
		t.Fatal(err)
	}
	before := contents(t, s)
	st, err := stage(ctx, bytes.NewReader(body), 1<<20, s.tmpDir)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Write(ctx, func(ctx context.Context) error { return s.upload(ctx, st) })
	st.discard()
	if err != nil {
		t.Fatalf("losing upload = %v, want success", err)
	}
	if after := contents(t, s); !equal(after, before) {
		t.Errorf("losing upload changed the store:\nbefore %q\nafter  %q", before, after)
	}
	if got := readAll(t, s, sha(body)); !bytes.Equal(got, body) {
		t.Error("stored bytes differ after the losing upload")
	}
}

func equal(a, b []string) bool { return len(diff(a, b)) == 0 && len(diff(b, a)) == 0 }
