package eligibility

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// coll holds one small document per year, instrument and kabupaten, read and written by _id.
const coll = "eligibility"

// Store keeps the entered facts.
type Store struct {
	db *db.DB
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Get returns the facts entered for a kabupaten, instrument and year; none entered yet is empty
// facts with Rev 0, not an error.
func (s *Store) Get(ctx context.Context, year int, instrumentID, kabupaten string) (_ *Facts, err error) {
	defer apperr.Wrap(&err, "eligibility.Get(%d, %s, %s)", year, instrumentID, kabupaten)
	var f Facts
	err = s.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: ID(year, instrumentID, kabupaten)}}).Decode(&f)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &Facts{Year: year, Instrument: instrumentID, Kabupaten: kabupaten, Values: map[string]Value{}, Units: []UnitFacts{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if f.Values == nil {
		f.Values = map[string]Value{}
	}
	if f.Units == nil {
		f.Units = []UnitFacts{}
	}
	return &f, nil
}

// Save replaces the facts if the stored rev is still rev (the rev the caller read; 0 when none
// were saved), and returns them with the new rev. A stale rev is apperr.Conflict with the
// current facts as detail, so nothing is silently overwritten. The caller validated f.
func (s *Store) Save(ctx context.Context, f Facts, rev int64, by string, now time.Time) (_ *Facts, err error) {
	defer apperr.Wrap(&err, "eligibility.Save(%d, %s, %s)", f.Year, f.Instrument, f.Kabupaten)
	f.Rev, f.UpdatedBy, f.UpdatedAt = rev+1, by, now.UTC()
	id := ID(f.Year, f.Instrument, f.Kabupaten)
	// Read and write under the write lock: the write judges the rev it read (DESIGN.md).
	err = s.db.Write(ctx, func(ctx context.Context) error {
		cur, err := s.Get(ctx, f.Year, f.Instrument, f.Kabupaten)
		if err != nil {
			return err
		}
		if cur.Rev != rev {
			return apperr.WithDetail(apperr.Conflict, cur, "Data syarat pengusulan baru saja diubah oleh %s. Muat ulang lalu ulangi.", cur.UpdatedBy)
		}
		doc := struct {
			ID    string `bson:"_id"`
			Facts `bson:",inline"`
		}{id, f}
		ok, err := s.db.ReplaceIfRev(ctx, coll, id, rev, doc)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "Data syarat pengusulan baru saja diubah. Muat ulang lalu ulangi.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}
