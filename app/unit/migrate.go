package unit

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MigrateActive marks every unit stored before units could be deactivated as active, and
// gives a root that names no zone the default (WIB). For db.Migrate (under the write lock).
func (s *Store) MigrateActive(ctx context.Context) error {
	defer s.invalidate()
	if _, err := s.coll.UpdateMany(ctx, bson.D{{Key: "active", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "active", Value: true}}}}); err != nil {
		return err
	}
	us, err := s.List(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.Parent == "" && u.TimeZone == "" {
			if _, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: u.Code}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "time_zone", Value: DefaultTimeZone}}}}); err != nil {
				return err
			}
		}
	}
	return nil
}
