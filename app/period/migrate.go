package period

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MigrateDays rewrites windows stored as instants (before whole-day deadlines) as calendar
// days: each instant becomes the date it showed in loc, the kabupaten's zone — the day the
// pages named, now meant whole. For db.Migrate (under the write lock); idempotent.
func (s *Store) MigrateDays(ctx context.Context, loc *time.Location) error {
	cur, err := s.coll.Find(ctx, bson.D{})
	if err != nil {
		return err
	}
	var docs []bson.M
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, d := range docs {
		ws, _ := d["instruments"].(bson.A)
		changed := false
		for _, w := range ws {
			win, ok := w.(bson.D) // embedded documents decode as bson.D
			if !ok {
				continue
			}
			for i, e := range win {
				if t, ok := e.Value.(bson.DateTime); ok && (e.Key == "opens" || e.Key == "self_deadline" || e.Key == "review_deadline") {
					win[i].Value = string(DayOf(t.Time(), loc))
					changed = true
				}
			}
		}
		if !changed {
			continue
		}
		if _, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d["_id"]}}, d); err != nil {
			return fmt.Errorf("period %v: %w", d["_id"], err)
		}
	}
	return nil
}
