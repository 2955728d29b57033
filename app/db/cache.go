package db

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// cacheMaxAge is how long a cached read is trusted on MongoDB, where another instance may
// have written since; on the embedded engine this process is the only writer, so its stores'
// own writes invalidate the cache exactly and entries live until then.
const cacheMaxAge = 5 * time.Second

// Cache keeps the results of reads by key for the store that owns it, which drops an entry
// (or all) whenever it writes what the entry holds. It holds at most size entries, the least
// recently used dropped first. Values are shared between readers: store immutable values, or
// copies. A read that began before an invalidation never puts its older value back (a
// generation counter).
type Cache[K comparable, V any] struct {
	maxAge time.Duration
	mu     sync.Mutex // orders generation checks with the writes that bump it
	m      *lru.Cache[K, cacheEntry[V]]
	gen    uint64
}

type cacheEntry[V any] struct {
	v  V
	at time.Time
}

// NewCache returns a cache of at most size entries (size > 0) for a store on d.
func NewCache[K comparable, V any](d *DB, size int) *Cache[K, V] {
	m, err := lru.New[K, cacheEntry[V]](size)
	if err != nil {
		panic(err) // only a size ≤ 0 fails: a programming error
	}
	c := &Cache[K, V]{m: m}
	if !d.Embedded {
		c.maxAge = cacheMaxAge
	}
	return c
}

// Get returns the cached value of key, or loads it and keeps it when load succeeds.
func (c *Cache[K, V]) Get(key K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	if e, ok := c.m.Get(key); ok && (c.maxAge == 0 || time.Since(e.at) < c.maxAge) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.m.Add(key, cacheEntry[V]{v: v, at: time.Now()})
	}
	c.mu.Unlock()
	return v, nil
}

// Put stores v under key: what a write just stored, so the next read needs no round trip.
func (c *Cache[K, V]) Put(key K, v V) {
	c.mu.Lock()
	c.gen++
	c.m.Add(key, cacheEntry[V]{v: v, at: time.Now()})
	c.mu.Unlock()
}

// Forget drops key.
func (c *Cache[K, V]) Forget(key K) {
	c.mu.Lock()
	c.gen++
	c.m.Remove(key)
	c.mu.Unlock()
}

// Clear drops every entry.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	c.gen++
	c.m.Purge()
	c.mu.Unlock()
}
