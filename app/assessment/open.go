package assessment

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// Open creates the empty assessment of unit for inst in year, in draft, unless it exists
// (opening a period again creates no duplicate: the id year/instrument/unit is the key). No
// sheet is stored: a missing sheet is an empty one. It reports whether it created.
func (s *Store) Open(ctx context.Context, inst *instrument.Instrument, year int, unit string, now time.Time) (created bool, err error) {
	id := ID(year, inst.ID, unit)
	err = s.db.Write(ctx, func(ctx context.Context) error {
		n, err := s.assessments.CountDocuments(ctx, idFilter(id))
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		a := &Assessment{ID: id, Period: year, Instrument: inst.ID, Unit: unit, Flow: Flow{Status: Draft}, Rev: 1, UpdatedAt: now.UTC()}
		if err := Rescore(inst, a, &Sheet{ID: id}, nil); err != nil {
			return err
		}
		defer s.forget(id)
		if _, err := s.assessments.InsertOne(ctx, a); err != nil {
			return err
		}
		created = true
		return s.recorded(ctx, id)
	})
	if err != nil {
		return false, fmt.Errorf("assessment.Open(%s): %w", id, err)
	}
	return created, nil
}

func idFilter(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }
