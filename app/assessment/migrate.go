package assessment

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/instrument"
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
		s.forget(d.ID)
		ext := Extension{Until: period.DayOf(d.Deadline, loc), Reason: "Perpanjangan dari versi sebelumnya.", By: "sistem", At: d.UpdatedAt}
		if _, err := s.assessments.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "extension", Value: ext}}},
			{Key: "$unset", Value: bson.D{{Key: "deadline", Value: ""}}}}); err != nil {
			return fmt.Errorf("assessment %s: %w", d.ID, err)
		}
	}
	return nil
}

// MigrateCodes renames the indicator codes of every stored sheet of inst whose answers use
// codes the instrument no longer has, where rename gives the code it has now (PEKPPP's
// aspects moved under the F-02 root, so KB.01.a became F02.KB.01.a). The answers' history
// moves with them, and the assessment is rescored and its board line refreshed. For
// db.Migrate (under the write lock); idempotent: a sheet already renamed has nothing to rename.
func (s *Store) MigrateCodes(ctx context.Context, inst *instrument.Instrument, rename func(code string) string) (int, error) {
	as, err := s.List(ctx, Filter{Instrument: inst.ID})
	if err != nil {
		return 0, err
	}
	moved := 0
	for i := range as {
		a := &as[i]
		sh, err := s.Sheet(ctx, a.ID)
		if err != nil {
			return moved, err
		}
		changed := map[string]string{}
		for j := range sh.Answers {
			old := sh.Answers[j].Indicator
			if _, ok := inst.Indicator(old); ok {
				continue
			}
			if now := rename(old); now != old {
				if _, ok := inst.Indicator(now); ok {
					sh.Answers[j].Indicator, changed[old] = now, now
				}
			}
		}
		if len(changed) == 0 {
			continue
		}
		for old, now := range changed {
			if err := s.moveHistory(ctx, a.ID, old, now); err != nil {
				return moved, err
			}
		}
		prev, err := s.Previous(ctx, a)
		if err != nil {
			return moved, err
		}
		if sh.Flow != nil {
			a.Flow = *sh.Flow
		}
		if err := Rescore(inst, a, sh, prev); err != nil {
			return moved, err
		}
		if err := s.Put(ctx, a, sh); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// moveHistory renames the versions of one indicator of one assessment.
func (s *Store) moveHistory(ctx context.Context, id, old, now string) error {
	cur, err := s.history.Find(ctx, bson.D{{Key: "assessment", Value: id}, {Key: "indicator", Value: old}})
	if err != nil {
		return err
	}
	var docs []historyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, d := range docs {
		v := d.Version
		v.Indicator = now
		if err := s.appendHistory(ctx, id, v); err != nil {
			return err
		}
		if _, err := s.history.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}}); err != nil {
			return err
		}
	}
	return nil
}
