package assessment

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/period"
)

// MigrateExtensions turns the per-unit deadline instants stored before whole-day deadlines
// (`deadline`) into extensions through the date they showed in loc. For db.Migrate (under
// the write lock); idempotent.
func (s *Store) MigrateExtensions(ctx context.Context, loc *time.Location) error {
	cur, err := s.assessments.Find(ctx, bson.D{{Key: "deadline", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return err
	}
	var docs []struct {
		ID        string    `bson:"_id"`
		Deadline  time.Time `bson:"deadline"`
		UpdatedAt time.Time `bson:"updated_at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, d := range docs {
		ext := Extension{Until: period.DayOf(d.Deadline, loc), Reason: "Perpanjangan dari versi sebelumnya.", By: "sistem", At: d.UpdatedAt}
		if _, err := s.assessments.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "extension", Value: ext}}},
			{Key: "$unset", Value: bson.D{{Key: "deadline", Value: ""}}}}); err != nil {
			return fmt.Errorf("assessment %s: %w", d.ID, err)
		}
	}
	return nil
}
