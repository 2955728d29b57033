package survey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Store keeps surveys and their responses. Every hot write touches small documents by a
// deterministic _id, under the survey family's own lock (db.WriteFamily "survey"), so a
// citizen's submission never queues behind the process-wide writer of answer saves:
//   - surveys {_id: "2026/ikm/sukamaju", …, seq}: one per unit, kind and year; seq counts
//     the responses ($inc, atomic on MongoDB);
//   - survey_tokens {_id: token, survey}: the public form's key → the survey (tokens never
//     change, so this is read by _id and never written again);
//   - survey_responses {_id: "2026/ikm/sukamaju/0003", survey, responses: [...]}: responses
//     n*bucketSize+1 … (n+1)*bucketSize, pushed one at a time, as app/audit does with days;
//   - survey_tickets {_id: ticket, survey}: the form tickets already used, so a form sent twice
//     (a double tap, a reload) is stored once.
//
// Surveys are few (one per kecamatan, kind and year) and listed with a filter on period.
type Store struct {
	db      *db.DB
	surveys *mongo.Collection
	tokens  *mongo.Collection
	buckets *mongo.Collection
	tickets *mongo.Collection
}

// Collections are the store's collections (created at start-up).
var Collections = []string{"surveys", "survey_tokens", "survey_responses", "survey_tickets"}

// family is the lock of the survey documents (db.WriteFamily).
const family = "survey"

// bucketSize bounds the responses of one stored document. A push rewrites its bucket whole on
// the embedded engine: measured per submission, 100 a bucket 11 ms, 50 6.2 ms, 20 4.4 ms, 10
// 2.8 ms. Reading is by _id, a bucket at a time, outside the writer lock: the largest required
// sample (384) is 39 reads.
const bucketSize = 10

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, surveys: d.Collection("surveys"), tokens: d.Collection("survey_tokens"),
		buckets: d.Collection("survey_responses"), tickets: d.Collection("survey_tickets")}
}

func bucketID(survey string, n int64) string { return fmt.Sprintf("%s/%04d", survey, n) }

// Create stores a new survey and its token. Errors: Conflict when the unit already has a
// survey of that kind for the year.
func (s *Store) Create(ctx context.Context, sv *Survey) (err error) {
	defer apperr.Wrap(&err, "survey.Create(%s)", sv.ID)
	return s.db.WriteFamily(ctx, family, func(ctx context.Context) error {
		if _, err := s.surveys.InsertOne(ctx, sv); mongo.IsDuplicateKeyError(err) {
			return apperr.New(apperr.Conflict, "Survei %s tahun %d untuk unit ini sudah ada; buka atau tutup survei itu.", sv.Kind.Short(), sv.Period)
		} else if err != nil {
			return err
		}
		// The token after the survey: a crash in between leaves a survey without a public
		// form, never a token pointing nowhere; Create again says it exists.
		for _, t := range []string{sv.Token, sv.KioskKey} {
			if _, err := s.tokens.InsertOne(ctx, bson.D{{Key: "_id", Value: t}, {Key: "survey", Value: sv.ID}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ByID returns a survey. Errors: NotFound.
func (s *Store) ByID(ctx context.Context, id string) (_ *Survey, err error) {
	defer apperr.Wrap(&err, "survey.ByID(%s)", id)
	var sv Survey
	err = s.surveys.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sv)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "Survei tidak ditemukan.")
	} else if err != nil {
		return nil, err
	}
	return &sv, nil
}

// ByToken returns the survey whose public token (or kiosk key) is token. Errors: NotFound.
func (s *Store) ByToken(ctx context.Context, token string) (*Survey, error) {
	var t struct {
		Survey string `bson:"survey"`
	}
	err := s.tokens.FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "Survei tidak ditemukan. Periksa alamat pada poster.")
	} else if err != nil {
		return nil, fmt.Errorf("survey.ByToken: %w", err)
	}
	return s.ByID(ctx, t.Survey)
}

// List returns the surveys of a year (0: every year), by id.
func (s *Store) List(ctx context.Context, year int) (_ []Survey, err error) {
	defer apperr.Wrap(&err, "survey.List(%d)", year)
	filter := bson.D{}
	if year != 0 {
		filter = bson.D{{Key: "period", Value: year}}
	}
	cur, err := s.surveys.Find(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := []Survey{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Survey) int {
		if a.Period != b.Period {
			return b.Period - a.Period
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return out, nil
}

// Update applies change to the survey read afresh under the family lock and writes it back
// conditioned on its rev (bumped), so two admins' decisions never overwrite each other. seq
// is left to Append: it is not part of the write.
func (s *Store) Update(ctx context.Context, id string, change func(sv *Survey) error) (out *Survey, err error) {
	defer apperr.Wrap(&err, "survey.Update(%s)", id)
	err = s.db.WriteFamily(ctx, family, func(ctx context.Context) error {
		for range 10 {
			sv, err := s.ByID(ctx, id)
			if err != nil {
				return err
			}
			if err := change(sv); err != nil {
				return err
			}
			ok, err := s.db.SetIfRev(ctx, "surveys", id, sv.Rev, bson.D{
				{Key: "status", Value: sv.Status}, {Key: "closed_at", Value: sv.ClosedAt}, {Key: "included", Value: sv.Included},
				{Key: "service", Value: sv.Service}, {Key: "population", Value: sv.Population}})
			if err != nil {
				return err
			}
			if ok {
				sv.Rev++
				out = sv
				return nil
			}
		}
		return apperr.New(apperr.Conflict, "Survei sedang diubah orang lain. Coba lagi.")
	})
	return out, err
}

// SetApplied records what the last sync brought to the assessment. Only the sync writes it.
func (s *Store) SetApplied(ctx context.Context, id string, a Applied) error {
	return s.db.WriteFamily(ctx, family, func(ctx context.Context) error {
		_, err := s.surveys.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "applied", Value: a}}}})
		if err != nil {
			return fmt.Errorf("survey.SetApplied(%s): %w", id, err)
		}
		return nil
	})
}

// Append stores one response of survey id: the ticket is looked up first (a ticket already
// used means the same form sent twice: nothing is stored, dup is true), then the survey's
// counter gives the response its number, the response is pushed into its bucket, and the
// ticket is recorded. A crash between the steps leaves a number without a response (readers
// skip it) or a stored response whose ticket a resend could store again (flagged then as the
// same device). Returns the response's seq.
func (s *Store) Append(ctx context.Context, id string, r Response) (seq int64, dup bool, err error) {
	defer apperr.Wrap(&err, "survey.Append(%s)", id)
	err = s.db.WriteFamily(ctx, family, func(ctx context.Context) error {
		if r.Ticket != "" {
			var t struct {
				Seq int64 `bson:"seq"`
			}
			err := s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: r.Ticket}}).Decode(&t)
			if err == nil {
				seq, dup = t.Seq, true
				return nil
			} else if !errors.Is(err, mongo.ErrNoDocuments) {
				return err
			}
		}
		var head struct {
			Seq int64 `bson:"seq"`
		}
		err := s.surveys.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(1)}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&head)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return apperr.New(apperr.NotFound, "Survei tidak ditemukan.")
		} else if err != nil {
			return err
		}
		seq, r.Seq = head.Seq, head.Seq
		_, err = s.buckets.UpdateOne(ctx, bson.D{{Key: "_id", Value: bucketID(id, (seq-1)/bucketSize)}},
			bson.D{{Key: "$push", Value: bson.D{{Key: "responses", Value: r}}}, {Key: "$setOnInsert", Value: bson.D{{Key: "survey", Value: id}}}},
			options.UpdateOne().SetUpsert(true))
		if err != nil {
			return err
		}
		if r.Ticket != "" {
			_, err = s.tickets.InsertOne(ctx, bson.D{{Key: "_id", Value: r.Ticket}, {Key: "survey", Value: id}, {Key: "seq", Value: seq}})
			if mongo.IsDuplicateKeyError(err) {
				err = nil // the same form on another instance at the same moment: kept twice, flagged by device
			}
		}
		return err
	})
	return seq, dup, err
}

// Responses returns the stored responses of a survey with seq counted, in order, reading its
// buckets by _id.
func (s *Store) Responses(ctx context.Context, id string, seq int64) (_ []Response, err error) {
	defer apperr.Wrap(&err, "survey.Responses(%s)", id)
	out := make([]Response, 0, seq)
	for n := int64(0); seq > 0 && n <= (seq-1)/bucketSize; n++ {
		var b struct {
			Responses []Response `bson:"responses"`
		}
		err := s.buckets.FindOne(ctx, bson.D{{Key: "_id", Value: bucketID(id, n)}}).Decode(&b)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // counted but not yet pushed (a crash between the two writes)
		} else if err != nil {
			return nil, err
		}
		out = append(out, b.Responses...)
	}
	slices.SortFunc(out, func(a, b Response) int { return int(a.Seq - b.Seq) })
	return out, nil
}

// Snapshot returns a survey with its responses as one consistent moment: read under the
// family lock on the embedded engine, so no submission sits between its counter and its push
// (a result computed from it reflects exactly the responses its Seq counts). On MongoDB, where
// the lock is the database's own atomic steps, a response counted but not yet pushed is waited
// for briefly (a crash's hole is then read as it is).
func (s *Store) Snapshot(ctx context.Context, id string) (sv *Survey, rs []Response, err error) {
	for wait := 0; ; wait++ {
		err = s.db.WriteFamily(ctx, family, func(ctx context.Context) error {
			if sv, err = s.ByID(ctx, id); err != nil {
				return err
			}
			rs, err = s.Responses(ctx, id, sv.Seq)
			return err
		})
		if err != nil || sv.Seq == 0 || (len(rs) > 0 && rs[len(rs)-1].Seq == sv.Seq) || wait == 5 || s.db.Embedded {
			return sv, rs, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pendingSync lists the surveys whose responses or decisions changed since their last sync.
func (s *Store) pendingSync(ctx context.Context) ([]string, error) {
	all, err := s.List(ctx, 0)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, sv := range all {
		if sv.Applied.Seq != sv.Seq || sv.Applied.Rev != sv.Rev {
			ids = append(ids, sv.ID)
		}
	}
	return ids, nil
}
