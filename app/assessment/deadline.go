package assessment

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/period"
)

// Extension is an admin's extension of one assessment's deadline: through Until (a whole day
// in the kabupaten's zone), with the reason the kecamatan is shown.
type Extension struct {
	Until  period.Day `bson:"until" json:"until"`
	Reason string     `bson:"reason" json:"reason"`
	By     string     `bson:"by" json:"by"`
	At     time.Time  `bson:"at" json:"at"`
}

// wib is the zone when none is configured (UTC+7).
var wib = time.FixedZone("WIB", 7*3600)

// DeadlineOf is the deadline that governs what the unit can still do on a: the period's
// self-assessment deadline, or for returned items (which come after it) the review deadline;
// an admin's extension replaces either when it is later (it never shortens one). Days are
// whole days in loc. Errors: NotFound when the period does not schedule a's instrument.
func DeadlineOf(a *Assessment, p *period.Period, loc *time.Location) (period.Due, error) {
	w, ok := p.Window(a.Instrument)
	if !ok {
		return period.Due{}, apperr.New(apperr.NotFound, "Instrumen %s tidak dijadwalkan pada periode %d.", a.Instrument, a.Period)
	}
	due := period.Due{Day: w.SelfDeadline, Zone: loc, Kind: period.DueSelf, Opens: w.Opens}
	if a.Status == Returned {
		due.Day, due.Kind = w.ReviewDeadline, period.DueReview
	}
	if x := a.Extension; x != nil && x.Until > due.Day {
		due.Day, due.Kind, due.Reason = x.Until, period.DueExtension, x.Reason
	}
	return due, nil
}

// zone is the kabupaten's time zone.
func (sv *Service) zone(ctx context.Context) *time.Location {
	if sv.Zone == nil {
		return wib
	}
	return sv.Zone(ctx)
}

// Deadline is a's governing deadline (see DeadlineOf); its Passed is the one judge of "too
// late" for saves, submission, evidence, pages and the API.
func (sv *Service) Deadline(ctx context.Context, a *Assessment) (period.Due, error) {
	p, err := sv.Periods.ByYear(ctx, a.Period)
	if err != nil {
		return period.Due{}, err
	}
	return DeadlineOf(a, p, sv.zone(ctx))
}

// SetExtension sets (or, with ext nil, removes) the extension of assessment id, then runs
// then with the updated assessment inside the same write, for the audit log. The status rev
// does not change: an extension is not a workflow step. Errors: NotFound.
func (s *Store) SetExtension(ctx context.Context, id string, ext *Extension, then func(ctx context.Context, a *Assessment) error) (*Assessment, error) {
	var out *Assessment
	err := s.db.Write(ctx, func(ctx context.Context) error {
		a, err := s.ByID(ctx, id)
		if err != nil {
			return err
		}
		update := bson.D{{Key: "$unset", Value: bson.D{{Key: "extension", Value: ""}}}}
		if ext != nil {
			update = bson.D{{Key: "$set", Value: bson.D{{Key: "extension", Value: ext}}}}
		}
		defer s.forget(id)
		if _, err := s.assessments.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update); err != nil {
			return err
		}
		a.Extension = ext
		out = a
		if then != nil {
			return then(ctx, a)
		}
		return nil
	})
	return out, err
}
