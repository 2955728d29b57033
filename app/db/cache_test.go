package db

import (
	"errors"
	"testing"
	"time"
)

func TestCacheKeepsLoadsAndForgets(t *testing.T) {
	c := NewCache[string, int](&DB{Embedded: true}, 100)
	loads := 0
	load := func() (int, error) { loads++; return 7, nil }
	for range 3 {
		if v, err := c.Get("a", load); v != 7 || err != nil {
			t.Fatalf("Get = %d, %v", v, err)
		}
	}
	if loads != 1 {
		t.Errorf("%d loads for three reads, want 1", loads)
	}
	c.Put("a", 8)
	if v, _ := c.Get("a", load); v != 8 {
		t.Errorf("after Put: %d, want 8 without a load", v)
	}
	c.Forget("a")
	if v, _ := c.Get("a", load); v != 7 || loads != 2 {
		t.Errorf("after Forget: %d after %d loads, want 7 after 2", v, loads)
	}
	if _, err := c.Get("b", func() (int, error) { return 0, errors.New("down") }); err == nil {
		t.Error("a failed load returned no error")
	}
	if v, _ := c.Get("b", load); v != 7 {
		t.Errorf("a failed load was kept: %d", v)
	}
}

// A read that began before a write must not put its older value back once the write is done.
func TestCacheLoadRacingAWriteIsNotKept(t *testing.T) {
	c := NewCache[string, int](&DB{Embedded: true}, 100)
	v, _ := c.Get("a", func() (int, error) {
		c.Put("a", 2) // the write lands while the read is in flight
		return 1, nil
	})
	if v != 1 {
		t.Errorf("the read returned %d, want what it read (1)", v)
	}
	if v, _ := c.Get("a", func() (int, error) { return 3, nil }); v != 2 {
		t.Errorf("cached %d, want the write's 2", v)
	}
}

func TestCacheLimit(t *testing.T) {
	c := NewCache[int, int](&DB{Embedded: true}, 10)
	for i := range 100 {
		c.Put(i, i)
	}
	if n := c.m.Len(); n != 10 {
		t.Errorf("%d entries kept, want the limit 10", n)
	}
	if v, _ := c.Get(99, func() (int, error) { return -1, nil }); v != 99 {
		t.Errorf("the latest entry was dropped: %d", v)
	}
}

func TestCacheExpiresOnMongoDB(t *testing.T) {
	c := NewCache[string, int](&DB{}, 100)
	if c.maxAge == 0 {
		t.Fatal("a cache on MongoDB never expires: another instance's writes would never be seen")
	}
	c.m.Add("a", cacheEntry[int]{v: 1, at: time.Now().Add(-2 * c.maxAge)})
	if v, _ := c.Get("a", func() (int, error) { return 2, nil }); v != 2 {
		t.Errorf("an entry older than maxAge was served: %d", v)
	}
}
