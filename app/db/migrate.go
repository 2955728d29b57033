package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Migration is one change to stored data, run once per database, in order, at start-up: how a
// data directory from an earlier version becomes one this version reads. Its ID is recorded in
// the `migrations` collection once Run succeeds. Run holds the write lock (it runs inside
// Write), and must be idempotent: a crash after Run and before the record runs it again.
type Migration struct {
	ID  string
	Run func(ctx context.Context) error
}

// Migrate runs, in order, each migration not yet recorded, and returns the ids it ran. A
// failing migration stops start-up with its id; the ones before it stay recorded.
func (d *DB) Migrate(ctx context.Context, ms []Migration) ([]string, error) {
	coll := d.Collection("migrations")
	var ran []string
	for _, m := range ms {
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: m.ID}}).Err()
		if err == nil {
			continue
		} else if !errors.Is(err, mongo.ErrNoDocuments) {
			return ran, fmt.Errorf("migration %s: %w", m.ID, err)
		}
		err = d.Write(ctx, func(ctx context.Context) error {
			if err := m.Run(ctx); err != nil {
				return err
			}
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: m.ID}, {Key: "at", Value: time.Now().UTC()}})
			return err
		})
		if err != nil {
			return ran, fmt.Errorf("migration %s: %w", m.ID, err)
		}
		ran = append(ran, m.ID)
	}
	return ran, nil
}
