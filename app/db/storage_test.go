package db

import (
	"context"
	"testing"
	"time"
)

// Storage is the fiber.Storage instances on one MongoDB share (login throttle counts): values
// by key, expiry judged on its clock, delete and reset. Run on the embedded engine here, and on
// MONGODB_URI where set (every operation addresses one document by _id).
func TestStorage(t *testing.T) {
	d, err := openAt(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Prepare(context.Background(), "throttle"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := NewStorage(d, "throttle", func() time.Time { return now })
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get("tidak-ada"); v != nil || err != nil {
		t.Errorf("absent key = %q, %v", v, err)
	}
	if err := s.Set("a", []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("tetap", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("a"); string(v) != "1" {
		t.Errorf("a = %q, want 1", v)
	}
	if err := s.Set("a", []byte("2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("a"); string(v) != "2" {
		t.Errorf("a after Set = %q, want 2", v)
	}
	now = now.Add(61 * time.Second)
	if v, _ := s.Get("a"); v != nil {
		t.Errorf("expired a = %q, want nothing", v)
	}
	if v, _ := s.Get("tetap"); string(v) != "x" {
		t.Errorf("key without expiry = %q", v)
	}
	if err := s.Delete("tetap"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("tetap"); v != nil {
		t.Errorf("deleted key = %q", v)
	}
	_ = s.Set("b", []byte("3"), 0)
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("b"); v != nil {
		t.Errorf("after Reset = %q", v)
	}
}

// A Write inside a Write, on the context the outer one gave, runs at once (a store's write
// called from another store's locked step); on a fresh context it would wait for the lock.
func TestWriteReentersOnItsOwnContext(t *testing.T) {
	d, err := openAt(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	done := make(chan error, 1)
	go func() {
		done <- d.Write(context.Background(), func(ctx context.Context) error {
			return d.Write(ctx, func(context.Context) error { return nil })
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a Write inside a Write on its own context deadlocked")
	}
}
