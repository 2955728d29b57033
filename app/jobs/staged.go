package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// stagedTTL is how long a previewed input waits for its confirmation.
const stagedTTL = time.Hour

// stagedDoc is an input kept between its preview and its confirmation.
type stagedDoc struct {
	ID      string    `bson:"_id"`
	Kind    string    `bson:"kind"`
	Owner   string    `bson:"owner"`
	Target  string    `bson:"target"`
	Payload bson.Raw  `bson:"payload"`
	Expires time.Time `bson:"expires"`
}

// Stage keeps payload (a previewed import: its parsed rows, an uploaded sheet) for its owner
// until Staged reads it back, for an hour. target names what it applies to (an assessment
// id, a year), so a confirmation cannot be replayed elsewhere. It returns the token the
// confirmation form carries.
func (r *Runner) Stage(ctx context.Context, kind, owner, target string, payload any) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	raw, err := bson.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("jobs.Stage(%s): %w", kind, err)
	}
	now := r.now().UTC()
	doc := stagedDoc{ID: id, Kind: kind, Owner: owner, Target: target, Payload: raw, Expires: now.Add(stagedTTL)}
	err = r.db.Write(ctx, func(ctx context.Context) error {
		// Expired inputs go first: the engine has no TTL index.
		if _, err := r.staged.DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}}); err != nil {
			return err
		}
		_, err := r.staged.InsertOne(ctx, doc)
		return err
	})
	return id, err
}

// Staged reads back what Stage kept, into out, for the same kind, owner and target.
// Errors: NotFound (with a message saying to preview again) when it is unknown, expired, or
// someone else's.
func (r *Runner) Staged(ctx context.Context, token, kind, owner, target string, out any) error {
	var doc stagedDoc
	err := r.staged.FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&doc)
	gone := apperr.New(apperr.NotFound, "Pratinjau tidak ditemukan atau sudah kedaluwarsa (1 jam). Unggah berkasnya lagi.")
	if errors.Is(err, mongo.ErrNoDocuments) {
		return gone
	} else if err != nil {
		return fmt.Errorf("jobs.Staged: %w", err)
	}
	if doc.Kind != kind || doc.Owner != owner || doc.Target != target || r.now().After(doc.Expires) {
		return gone
	}
	return bson.Unmarshal(doc.Payload, out)
}

// Unstage removes a staged input once it has been applied.
func (r *Runner) Unstage(ctx context.Context, token string) error {
	return r.db.Write(ctx, func(ctx context.Context) error {
		_, err := r.staged.DeleteOne(ctx, bson.D{{Key: "_id", Value: token}})
		return err
	})
}
