package assessment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// History keeps every saved version of every answer, one small document per version:
// {_id: "2026/zi-2021/sukamaju/P.MP.PM.1.a/7", assessment, indicator, rev, option|value, note,
// by, at}. A save appends one document by a deterministic _id, so its cost never depends on
// how much history the sheet has (one document per assessment grew to 1.1–1.5 s a save after
// ~1,000 versions, and toward MongoDB's 16 MiB limit), and appending is idempotent per
// (indicator, rev): a retried append of a version already stored is a no-op. Readers fetch
// the versions they show by _id, newest first, a page at a time.

// historyID is the _id of one version. Indicator codes hold dots, never slashes.
func historyID(assessment, indicator string, rev int64) string {
	return assessment + "/" + indicator + "/" + strconv.FormatInt(rev, 10)
}

// historyDoc is a Version as stored.
type historyDoc struct {
	ID         string `bson:"_id"`
	Assessment string `bson:"assessment"`
	Version    `bson:",inline"`
}

// appendHistory stores one version. Apply calls it once the sheet holding that version has
// landed, so a write that lost a race leaves no version behind; a version already stored (a
// retry) is left as it is.
func (s *Store) appendHistory(ctx context.Context, id string, v Version) error {
	return s.appendVersions(ctx, []historyDoc{{ID: historyID(id, v.Indicator, v.Rev), Assessment: id, Version: v}})
}

// appendVersions stores versions in one unordered insert; those already stored are left as
// they are (see appendHistory).
func (s *Store) appendVersions(ctx context.Context, docs []historyDoc) error {
	if len(docs) == 0 {
		return nil
	}
	_, err := s.history.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bulk mongo.BulkWriteException
	if errors.As(err, &bulk) && bulk.WriteConcernError == nil && len(bulk.WriteErrors) > 0 &&
		!slices.ContainsFunc(bulk.WriteErrors, func(e mongo.BulkWriteError) bool { return e.Code != duplicateKey }) {
		return nil // a retry: every version refused was already there
	}
	if err != nil {
		return fmt.Errorf("history of %s: %w", docs[0].Assessment, err)
	}
	return nil
}

// duplicateKey is the server's error code for an insert whose _id exists.
const duplicateKey = 11000

// MaxHistoryPage bounds the versions one request reads.
const MaxHistoryPage = 50

// History returns up to limit saved versions of one indicator with a rev below before, newest
// first (before ≤ 0: from the newest, the answer's current rev). cur is the answer as the
// sheet holds it: a version whose history document is missing (a crash between the sheet's
// write and the history's) is taken from it when it is the current one.
func (s *Store) History(ctx context.Context, id string, cur Answer, before int64, limit int) ([]Version, error) {
	if limit <= 0 || limit > MaxHistoryPage {
		limit = MaxHistoryPage
	}
	if before <= 0 || before > cur.Rev+1 {
		before = cur.Rev + 1
	}
	out := []Version{}
	for rev := before - 1; rev >= 1 && len(out) < limit; rev-- {
		var d historyDoc
		err := s.history.FindOne(ctx, bson.D{{Key: "_id", Value: historyID(id, cur.Indicator, rev)}}).Decode(&d)
		switch {
		case err == nil:
			out = append(out, d.Version)
		case errors.Is(err, mongo.ErrNoDocuments):
			if rev == cur.Rev && cur.Self != nil {
				out = append(out, Version{Indicator: cur.Indicator, Rev: rev, Option: cur.Self.Option, Value: cur.Self.Value,
					Note: cur.Self.Note, By: cur.Self.By, At: cur.Self.At})
			}
		default:
			return nil, fmt.Errorf("history of %s/%s: %w", id, cur.Indicator, err)
		}
	}
	return out, nil
}

// MigrateHistory moves history kept the old way, one document per assessment holding every
// version ({_id: assessment id, versions: [...]}), to one document per version. It is
// idempotent: a version already moved is skipped, and the old document goes only once all its
// versions are stored. Returns how many old documents it moved.
func (s *Store) MigrateHistory(ctx context.Context) (int, error) {
	cur, err := s.history.Find(ctx, bson.D{{Key: "versions", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return 0, fmt.Errorf("history migration: %w", err)
	}
	var old []struct {
		ID       string    `bson:"_id"`
		Versions []Version `bson:"versions"`
	}
	if err := cur.All(ctx, &old); err != nil {
		return 0, fmt.Errorf("history migration: %w", err)
	}
	for _, o := range old {
		err := s.db.Write(ctx, func(ctx context.Context) error {
			for _, v := range o.Versions {
				if err := s.appendHistory(ctx, o.ID, v); err != nil {
					return err
				}
			}
			_, err := s.history.DeleteOne(ctx, bson.D{{Key: "_id", Value: o.ID}})
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("history migration of %s: %w", o.ID, err)
		}
	}
	return len(old), nil
}
