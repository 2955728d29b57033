package dashboard

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPageCache: a page is built once per stamp however many readers ask at once, built again
// when the stamp changes or the entry is older than maxAge, and a failed build is not kept.
func TestPageCache(t *testing.T) {
	var builds atomic.Int32
	release := make(chan struct{})
	build := func() (*cachedPage, error) {
		builds.Add(1)
		<-release
		return &cachedPage{Title: "x"}, nil
	}
	pc := newPageCache(0)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p, err := pc.get("k", "s1", build); err != nil || p.Title != "x" {
				t.Errorf("get = %v, %v", p, err)
			}
		}()
	}
	close(release) // readers that came during the build waited for it; later ones read it
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("20 concurrent readers built the page %d times, want 1", n)
	}
	if _, _ = pc.get("k", "s1", build); builds.Load() != 1 {
		t.Error("a later read of the same stamp built again")
	}
	if _, _ = pc.get("k", "s2", build); builds.Load() != 2 {
		t.Error("a new stamp did not build again")
	}
	if _, _ = pc.get("other", "s2", build); builds.Load() != 3 {
		t.Error("another key shared the page")
	}

	boom := errors.New("boom")
	failing := func() (*cachedPage, error) { builds.Add(1); return nil, boom }
	n := builds.Load()
	for range 2 {
		if _, err := pc.get("bad", "s2", failing); !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	}
	if builds.Load() != n+2 {
		t.Error("a failed build was kept")
	}

	short := newPageCache(200 * time.Millisecond)
	n = builds.Load()
	_, _ = short.get("k", "s", build)
	_, _ = short.get("k", "s", build)
	time.Sleep(250 * time.Millisecond)
	_, _ = short.get("k", "s", build)
	if got := builds.Load() - n; got != 2 {
		t.Errorf("with maxAge: %d builds over two reads and one after expiry, want 2", got)
	}
}
