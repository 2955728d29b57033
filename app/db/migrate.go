package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Migration is one change to stored data, applied once per database, in order, at start-up:
// how a data directory from an earlier version becomes one this version reads. Run must be
// idempotent (a crash before the migration is recorded runs it again).
type Migration struct {
	ID  string
	Run func(ctx context.Context) error
}

// Migrate runs the migrations not yet recorded in the migrations collection, in order,
// recording each once it has run. It returns the ids it ran.
func (d *DB) Migrate(ctx context.Context, ms []Migration) ([]string, error) {
	coll := d.Collection("migrations")
	var ran []string
	for _, m := range ms {
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: m.ID}}).Err()
		if err == nil {
			continue
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return ran, fmt.Errorf("migration %s: %w", m.ID, err)
		}
		if err := m.Run(ctx); err != nil {
			return ran, fmt.Errorf("migration %s: %w", m.ID, err)
		}
		if err := d.Put(ctx, "migrations", m.ID, bson.D{{Key: "_id", Value: m.ID}, {Key: "at", Value: time.Now().UTC()}}); err != nil {
			return ran, fmt.Errorf("recording migration %s: %w", m.ID, err)
		}
		ran = append(ran, m.ID)
	}
	return ran, nil
}
