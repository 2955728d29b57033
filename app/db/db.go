// Package db connects Rapor RB to its database: an embedded FerretDB (SQLite, under DATA_DIR)
// by default, or a real MongoDB when MONGODB_URI is set. The rest of the application sees the
// same *mongo.Database either way; the only difference it must honour is Write, which
// serializes writes on the embedded engine because its updates are not atomic (FerretDB #3040).
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DefaultName is the database name used when the URI names none.
const DefaultName = "raporrb"

// Config says where the data lives.
type Config struct {
	// URI of a real MongoDB; empty starts the embedded engine under DataDir.
	URI string
	// DataDir holds the embedded engine's files (and evidence bytes); default ./data.
	DataDir string
	// ExposeAddr, when set in embedded mode, also serves the engine on this loopback TCP
	// address so an admin can run mongosh or mongodump against it.
	ExposeAddr string
	// Name of the database; default DefaultName (or the URI's path).
	Name string
	// Sync is SQLite's synchronous setting for the embedded engine: "normal" (the default)
	// or "full". The engine writes a write-ahead log; with "normal" a commit does not wait for
	// the disk, which makes a save 2–3× cheaper. A crash of the process (kill -9) loses nothing
	// acknowledged either way; with "normal" a power loss or OS crash may lose the last
	// commits, never consistency. "full" waits for the disk on every commit.
	Sync string
	// Logger for the engine; nil discards.
	Logger *slog.Logger
}

// DB is an open database: the driver's handles plus the write discipline of its engine.
type DB struct {
	Client   *mongo.Client
	Database *mongo.Database
	// Embedded reports whether the embedded engine is in use.
	Embedded bool

	// dataDir is DATA_DIR in embedded mode.
	dataDir string

	// writeMu serializes writes on the embedded engine; shared by every DB derived with
	// WithName so that all databases of one process take turns.
	writeMu *sync.Mutex
	// families are the locks of WriteFamily, by name, shared like writeMu.
	families *families
	// changes counts this process's writes per collection (Generation); shared like writeMu.
	changes *changes
	closers []func()
}

// Open connects to MongoDB when cfg.URI is set, otherwise starts the embedded engine.
// It verifies the connection with a ping so that a broken DATA_DIR or URI fails at start-up.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URI != "" {
		return openRemote(ctx, cfg)
	}
	return openEmbedded(ctx, cfg)
}

func openRemote(ctx context.Context, cfg Config) (*DB, error) {
	ch := newChanges()
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI).SetTimeout(30 * time.Second).SetMonitor(ch.monitor()))
	if err != nil {
		return nil, fmt.Errorf("MONGODB_URI: %w", err)
	}
	d := &DB{Client: client, writeMu: &sync.Mutex{}, families: &families{locks: map[string]*sync.Mutex{}}, changes: ch}
	d.closers = append(d.closers, func() { _ = client.Disconnect(context.Background()) })
	name := cfg.Name
	if name == "" {
		name = nameFromURI(cfg.URI)
	}
	d.Database = client.Database(name)
	if err := d.ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("MONGODB_URI: cannot reach the server: %w", err)
	}
	return d, nil
}

func nameFromURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || len(u.Path) <= 1 {
		return DefaultName
	}
	return u.Path[1:]
}

func (d *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return d.Client.Ping(ctx, nil)
}

// WithName returns a DB on another database of the same connection, sharing its write lock.
// Tests use it to give each test a database of its own.
func (d *DB) WithName(name string) *DB {
	return &DB{Client: d.Client, Database: d.Client.Database(name), Embedded: d.Embedded, dataDir: d.dataDir, writeMu: d.writeMu, families: d.families, changes: d.changes}
}

// Collection is a shorthand for d.Database.Collection.
func (d *DB) Collection(name string) *mongo.Collection { return d.Database.Collection(name) }

// Write runs fn, alone among writers when the engine is embedded. Every write of every store
// goes through it. On MongoDB it adds nothing: there the stores' rev conditions are atomic.
// A Write inside fn, on the context fn was given, runs at once: the lock is already held (a
// store's write called from another store's locked step, such as evidence bytes committed
// while a sheet links them). The context must not outlive fn.
func (d *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if !d.Embedded {
		return fn(ctx)
	}
	if held, _ := ctx.Value(writeLockKey{}).(*sync.Mutex); held == d.writeMu {
		return fn(ctx)
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	return fn(context.WithValue(ctx, writeLockKey{}, d.writeMu))
}

// writeLockKey marks a context whose holder has the write lock (the *sync.Mutex held).
type writeLockKey struct{}

// WithLockOf returns ctx marked as holding the write lock that held holds, if it does: for
// work a lock holder does on behalf of another caller (a batch of writes), run with that
// caller's context (its deadline, its values) but inside the holder's Write.
func WithLockOf(ctx, held context.Context) context.Context {
	if m, ok := held.Value(writeLockKey{}).(*sync.Mutex); ok {
		return context.WithValue(ctx, writeLockKey{}, m)
	}
	return ctx
}

// families holds the named locks of WriteFamily.
type families struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (f *families) lock(name string) *sync.Mutex {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.locks[name]
	if !ok {
		m = &sync.Mutex{}
		f.locks[name] = m
	}
	return m
}

type familyKey string

// WriteFamily runs fn alone among the writers of one family of documents on the embedded
// engine: documents that only that family's code reads and updates (the audit log's day
// buckets), so its read-modify-writes need not queue behind the process-wide writer (Write)
// and, say, a login's audit event does not wait for a deadline rush of answer saves. It may be
// called inside a Write (the order is always Write, then a family), and re-enters on its own
// context. On MongoDB it adds nothing.
func (d *DB) WriteFamily(ctx context.Context, name string, fn func(ctx context.Context) error) error {
	if !d.Embedded {
		return fn(ctx)
	}
	m := d.families.lock(name)
	if held, _ := ctx.Value(familyKey(name)).(*sync.Mutex); held == m {
		return fn(ctx)
	}
	m.Lock()
	defer m.Unlock()
	return fn(context.WithValue(ctx, familyKey(name), m))
}

// Close disconnects and, in embedded mode, stops the engine and releases DATA_DIR.
func (d *DB) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
	d.closers = nil
}

// ErrNotFound is returned by helpers when no document matches.
var ErrNotFound = errors.New("not found")

// Put writes doc whole under its id, creating it when missing: the one upsert of the stores,
// taking the write lock.
func (d *DB) Put(ctx context.Context, coll string, id, doc any) error {
	return d.Write(ctx, func(ctx context.Context) error {
		_, err := d.Collection(coll).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
		return err
	})
}

// SetIfNewer sets fields on the document id of coll unless it already records a version
// (in field) at or past n; derived data written by concurrent savers thus never goes back in
// time. On the embedded engine the caller holds the write lock, so a filter on _id alone (the
// only filter that engine answers from its index) is enough.
func (d *DB) SetIfNewer(ctx context.Context, coll string, id any, field string, n int64, set bson.D) error {
	filter := bson.D{{Key: "_id", Value: id}}
	if !d.Embedded {
		filter = append(filter, bson.E{Key: field, Value: bson.D{{Key: "$lt", Value: n}}})
	}
	set = append(set, bson.E{Key: field, Value: n})
	_, err := d.Collection(coll).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: set}})
	return err
}

// ReplaceIfRev replaces the document id of coll with doc if its stored "rev" is still rev,
// the rev the caller read inside the same Write; rev 0 means the caller found no document.
// It reports whether it wrote.
//
// On MongoDB the condition is part of the filter, so check and write are one atomic step. On
// the embedded engine the caller's read and this write happen under the process-wide write
// lock, so nothing can have changed in between and the document is not read again: the engine
// decodes a whole document even for a projection, and its conditional updates are not atomic
// anyway (FerretDB #3040). A filter on _id alone is also the only one it answers from an index.
func (d *DB) ReplaceIfRev(ctx context.Context, coll string, id any, rev int64, doc any) (bool, error) {
	c := d.Collection(coll)
	if rev == 0 { // not stored yet: whoever inserts first wins
		_, err := c.InsertOne(ctx, doc)
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return err == nil, err
	}
	filter := bson.D{{Key: "_id", Value: id}}
	if !d.Embedded {
		filter = append(filter, bson.E{Key: "rev", Value: rev})
	}
	r, err := c.ReplaceOne(ctx, filter, doc)
	if err != nil {
		return false, err
	}
	return r.MatchedCount == 1, nil
}

// SetIfRev sets fields (and rev+1) on the document id of coll if its "rev" is still rev, the
// rev the caller read inside the same Write, and reports whether it did; atomic on MongoDB,
// under the write lock on the embedded engine (see ReplaceIfRev).
func (d *DB) SetIfRev(ctx context.Context, coll string, id any, rev int64, set bson.D) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}}
	if !d.Embedded {
		filter = append(filter, bson.E{Key: "rev", Value: rev})
	}
	r, err := d.Collection(coll).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: append(set, bson.E{Key: "rev", Value: rev + 1})}})
	if err != nil {
		return false, err
	}
	return r.MatchedCount == 1, nil
}
