package db

import (
	"sync"
	"time"
)

// cacheMaxAge is how long a cached read is trusted on MongoDB, where another instance may
// have written since; on the embedded engine this process is the only writer, so its stores'
// own writes invalidate the cache exactly and entries live until then.
const cacheMaxAge = 5 * time.Second

// Cache keeps the results of reads by key for the store that owns it, which drops an entry
// (or all) whenever it writes what the entry holds. Values are shared between readers: store
// immutable values, or copies. A read that began before an invalidation never puts its older
// value back (a generation counter).
type Cache[K comparable, V any] struct {
	maxAge time.Duration
	limit  int // most entries kept (0: no bound)
	mu     sync.Mutex
	m      map[K]cacheEntry[V]
	gen    uint64
}

type cacheEntry[V any] struct {
	v  V
	at time.Time
}

// NewCache returns a cache for a store on d.
func NewCache[K comparable, V any](d *DB) *Cache[K, V] {
	c := &Cache[K, V]{m: map[K]cacheEntry[V]{}}
	if !d.Embedded {
		c.maxAge = cacheMaxAge
	}
	return c
}

// WithLimit bounds the cache to n entries: past it, keeping one more drops another at random
// (a store of large values, such as sheets, stays within a fixed memory however many exist).
func (c *Cache[K, V]) WithLimit(n int) *Cache[K, V] {
	c.limit = n
	return c
}

// keep stores e under key, dropping a random other entry when the cache is full. c.mu is held.
func (c *Cache[K, V]) keep(key K, e cacheEntry[V]) {
	if _, ok := c.m[key]; !ok && c.limit > 0 && len(c.m) >= c.limit {
		for k := range c.m { // map order is random: a random victim
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
}

// Get returns the cached value of key, or loads it and keeps it when load succeeds.
func (c *Cache[K, V]) Get(key K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && (c.maxAge == 0 || time.Since(e.at) < c.maxAge) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.keep(key, cacheEntry[V]{v: v, at: time.Now()})
	}
	c.mu.Unlock()
	return v, nil
}

// Put stores v under key: what a write just stored, so the next read needs no round trip.
func (c *Cache[K, V]) Put(key K, v V) {
	c.mu.Lock()
	c.gen++
	c.keep(key, cacheEntry[V]{v: v, at: time.Now()})
	c.mu.Unlock()
}

// Forget drops key.
func (c *Cache[K, V]) Forget(key K) {
	c.mu.Lock()
	delete(c.m, key)
	c.gen++
	c.mu.Unlock()
}

// Clear drops every entry.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	clear(c.m)
	c.gen++
	c.mu.Unlock()
}
