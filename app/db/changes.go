package db

import (
	"context"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/event"
)

// changes counts the write commands this process has completed, per database and collection,
// through the driver's command monitor: every write of every store is seen, whichever path it
// takes (a store method, a migration, a restore), so a cache keyed by these counts cannot miss
// one. Only this process's writes are seen: on MongoDB other instances write too, and caches
// built on Generation must also expire (as the ranking cache does).
type changes struct {
	// pending maps a write command's request id to its counter, from start to finish.
	pending sync.Map // int64 → *atomic.Uint64
	gens    sync.Map // "db.collection", or "db.*" for whole-database writes → *atomic.Uint64
}

func newChanges() *changes { return &changes{} }

// writeCommands are the commands that change a collection's documents (the command's first
// field names the collection); the stores' ReplaceOne, UpdateOne, FindOneAndUpdate, BulkWrite
// and the like all send these. dropDatabase changes every collection.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true, "drop": true}

func (c *changes) counter(key string) *atomic.Uint64 {
	if n, ok := c.gens.Load(key); ok {
		return n.(*atomic.Uint64)
	}
	n, _ := c.gens.LoadOrStore(key, &atomic.Uint64{})
	return n.(*atomic.Uint64)
}

// monitor is the driver's command monitor: a write is counted when it finishes (succeeded or
// failed: a failed write on the embedded engine may have changed part of what it touched), so
// a reader that sees the new count reads the written data.
func (c *changes) monitor() *event.CommandMonitor {
	finish := func(id int64) {
		if n, ok := c.pending.LoadAndDelete(id); ok {
			n.(*atomic.Uint64).Add(1)
		}
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			switch {
			case writeCommands[e.CommandName]:
				coll, ok := e.Command.Lookup(e.CommandName).StringValueOK()
				key := e.DatabaseName + "." + coll
				if !ok {
					key = e.DatabaseName + ".*"
				}
				c.pending.Store(e.RequestID, c.counter(key))
			case e.CommandName == "dropDatabase":
				c.pending.Store(e.RequestID, c.counter(e.DatabaseName+".*"))
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { finish(e.RequestID) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { finish(e.RequestID) },
	}
}

// Generation is a number that grows whenever this process finishes a write to any of the
// named collections of d's database (or drops the database): a cache of something read from
// them is current while it is the same, provided the generation was read before the data.
// Writes by other processes (other instances on one MongoDB) are not seen.
func (d *DB) Generation(collections ...string) uint64 {
	if d.changes == nil {
		return 0
	}
	name := d.Database.Name()
	n := d.changes.counter(name + ".*").Load()
	for _, coll := range collections {
		n += d.changes.counter(name + "." + coll).Load()
	}
	return n
}
