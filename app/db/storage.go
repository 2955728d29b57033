package db

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Storage is a fiber.Storage (github.com/gofiber/fiber/v2's Storage interface) on one
// collection of the database: {_id: key, val: bytes, exp: time}. It is what lets several app
// instances on one MongoDB share state that middleware keeps (the login throttle's counts).
// Every operation addresses one document by _id. Expired entries read as absent; on MongoDB a
// TTL index removes them (EnsureIndexes). The embedded engine has no TTL indexes and is one
// process, so it keeps such state in memory instead.
type Storage struct {
	db      *DB
	coll    *mongo.Collection
	timeout time.Duration
	now     func() time.Time
}

// NewStorage returns the storage on collection name of d. now is the clock expiry is judged
// by (nil: time.Now).
func NewStorage(d *DB, name string, now func() time.Time) *Storage {
	if now == nil {
		now = time.Now
	}
	return &Storage{db: d, coll: d.Collection(name), timeout: 10 * time.Second, now: now}
}

type storageEntry struct {
	Val []byte    `bson:"val"`
	Exp time.Time `bson:"exp,omitempty"`
}

// EnsureIndexes creates the TTL index that purges expired entries on MongoDB.
func (s *Storage) EnsureIndexes(ctx context.Context) error {
	if s.db.Embedded {
		return nil
	}
	_, err := s.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "exp", Value: 1}},
		Options: options.Index().SetExpireAfterSeconds(0)})
	return err
}

func (s *Storage) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Get returns the value of key, or nil when absent or expired.
func (s *Storage) Get(key string) ([]byte, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var e storageEntry
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !e.Exp.IsZero() && !s.now().Before(e.Exp) {
		return nil, nil
	}
	return e.Val, nil
}

// Set stores val under key for exp (0: no expiry).
func (s *Storage) Set(key string, val []byte, exp time.Duration) error {
	ctx, cancel := s.ctx()
	defer cancel()
	e := storageEntry{Val: val}
	if exp > 0 {
		e.Exp = s.now().Add(exp).UTC()
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, e, options.Replace().SetUpsert(true))
		return err
	})
}

// Delete removes key.
func (s *Storage) Delete(key string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: key}})
		return err
	})
}

// Reset removes every entry.
func (s *Storage) Reset() error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.coll.DeleteMany(ctx, bson.D{})
		return err
	})
}

// Close does nothing: the connection belongs to the DB.
func (s *Storage) Close() error { return nil }
