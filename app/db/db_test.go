package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func openAt(t *testing.T, dir string) (*DB, error) {
	t.Helper()
	return Open(context.Background(), Config{DataDir: dir})
}

func TestEmbeddedPersistsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	d, err := openAt(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := d.Collection("units").InsertOne(ctx, bson.M{"_id": "a", "name": "Sukamaju"}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, err = openAt(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got bson.M
	if err := d.Collection("units").FindOne(ctx, bson.M{"_id": "a"}).Decode(&got); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if got["name"] != "Sukamaju" {
		t.Errorf("name = %v", got["name"])
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
		t.Errorf("marker not written: %v", err)
	}
}

func TestEmbeddedRefusesBrokenDataDir(t *testing.T) {
	ctx := context.Background()
	t.Run("missing database file", func(t *testing.T) {
		dir := t.TempDir()
		d, err := openAt(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		d.Collection("x").InsertOne(ctx, bson.M{"_id": 1})
		d.Close()
		if err := os.Remove(filepath.Join(dir, "db", DefaultName+".sqlite")); err != nil {
			t.Fatal(err)
		}
		_, err = openAt(t, dir)
		if err == nil || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("err = %v, want a clear 'missing' error", err)
		}
	})
	t.Run("corrupted database file", func(t *testing.T) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "db"), 0o700)
		os.WriteFile(filepath.Join(dir, "db", DefaultName+".sqlite"), []byte("this is not sqlite at all, just text"), 0o600)
		_, err := openAt(t, dir)
		if err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not a directory", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		_, err := openAt(t, f)
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("second process", func(t *testing.T) {
		dir := t.TempDir()
		d, err := openAt(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		_, err = openAt(t, dir)
		if err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("err = %v", err)
		}
	})
}

// The embedded engine's conditional updates are not atomic (FerretDB #3040); Write must make
// a read-check-write sequence safe. 40 goroutines each increment a counter via a rev check.
func TestWriteSerializesEmbeddedWrites(t *testing.T) {
	d, err := openAt(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	c := d.Collection("counter")
	c.InsertOne(ctx, bson.M{"_id": "n", "rev": 0})
	var wg sync.WaitGroup
	wins := make(chan struct{}, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = d.Write(ctx, func(ctx context.Context) error {
				var doc struct{ Rev int }
				if err := c.FindOne(ctx, bson.M{"_id": "n"}).Decode(&doc); err != nil {
					return err
				}
				r, err := c.ReplaceOne(ctx, bson.M{"_id": "n", "rev": doc.Rev}, bson.M{"rev": doc.Rev + 1}, options.Replace())
				if err == nil && r.ModifiedCount == 1 {
					wins <- struct{}{}
				}
				return err
			})
		}()
	}
	wg.Wait()
	close(wins)
	n := 0
	for range wins {
		n++
	}
	var doc struct{ Rev int }
	c.FindOne(ctx, bson.M{"_id": "n"}).Decode(&doc)
	if n != 40 || doc.Rev != 40 {
		t.Fatalf("wins = %d, rev = %d; want 40 and 40", n, doc.Rev)
	}
}

// Prepare's _id index must make lookups by _id independent of the collection's size; this
// checks the index exists and is used, through SQLite's own query plan.
func TestPrepareIndexesIDOnEmbedded(t *testing.T) {
	dir := t.TempDir()
	d, err := openAt(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Prepare(ctx, "sheets", "units"); err != nil {
		t.Fatal(err)
	}
	if err := d.Prepare(ctx, "sheets", "units"); err != nil { // idempotent
		t.Fatal(err)
	}
	for i := range 50 {
		d.Collection("sheets").InsertOne(ctx, bson.M{"_id": fmt.Sprintf("s%d", i), "n": i})
	}
	var got struct{ N int }
	if err := d.Collection("sheets").FindOne(ctx, bson.M{"_id": "s42"}).Decode(&got); err != nil || got.N != 42 {
		t.Fatalf("find = %v, %v", got, err)
	}
	conn, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db", DefaultName+".sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var table string
	if err := conn.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'sheets'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = '"s42"'`, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	plan := ""
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "_raporrb_id") {
		t.Errorf("lookup by _id does not use the index:\n%s", plan)
	}
}

// ReplaceIfRev on either engine: rev 0 inserts once, the read rev replaces; on MongoDB a stale
// rev is refused by the filter (on the embedded engine the write lock rules staleness out).
func TestReplaceIfRev(t *testing.T) {
	d, err := openAt(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	err = d.Write(ctx, func(ctx context.Context) error {
		if ok, err := d.ReplaceIfRev(ctx, "s", "x", 0, bson.M{"_id": "x", "rev": 1}); !ok || err != nil {
			t.Errorf("first insert = %v, %v", ok, err)
		}
		if ok, err := d.ReplaceIfRev(ctx, "s", "x", 0, bson.M{"_id": "x", "rev": 1, "v": "kedua"}); ok || err != nil {
			t.Errorf("second insert at rev 0 = %v, %v; want refused", ok, err)
		}
		if ok, err := d.ReplaceIfRev(ctx, "s", "x", 1, bson.M{"_id": "x", "rev": 2, "v": "baru"}); !ok || err != nil {
			t.Errorf("replace at the read rev = %v, %v", ok, err)
		}
		if ok, err := d.SetIfRev(ctx, "s", "x", 2, bson.D{{Key: "v", Value: "diset"}}); !ok || err != nil {
			t.Errorf("set at the read rev = %v, %v", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rev int
		V   string
	}
	if err := d.Collection("s").FindOne(ctx, bson.M{"_id": "x"}).Decode(&got); err != nil || got.Rev != 3 || got.V != "diset" {
		t.Errorf("stored = %+v, %v", got, err)
	}
}
