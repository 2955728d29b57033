package assessment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/evidence"
)

// Evidence kinds.
const (
	EvidenceFile = "file"
	EvidenceLink = "link"
)

// Blobs is where evidence bytes live (app/evidence: disk or GridFS).
type Blobs interface {
	Stage(ctx context.Context, r io.Reader, max int64) (*evidence.Staged, error)
	Commit(ctx context.Context, st *evidence.Staged) error
	Open(ctx context.Context, id string) (io.ReadCloser, int64, error)
	Delete(ctx context.Context, id string) error
}

// ref is one use of evidence bytes: the evidence_refs bucket {_id: sha256, refs: [...]} says
// which sheets link which bytes, read by _id, so a duplicate across kecamatan is found and
// bytes are deleted only when nothing links them any more.
type ref struct {
	Assessment string `bson:"assessment" json:"assessment"`
	Indicator  string `bson:"indicator" json:"indicator"`
	Unit       string `bson:"unit" json:"unit"`
}

// Upload is one file of an upload request.
type Upload struct {
	Name string
	Body io.Reader
}

// AddFile stores the bytes of an upload and links them to an indicator. The bytes are
// received and verified first (staged, invisible); then, in one step with the sheet's write,
// the reference is recorded and the bytes committed (made visible, or found already there),
// and the sheet links them. A removal deletes bytes only while it holds them unreferenced
// (releaseBytes), so an upload can never link bytes a concurrent removal is deleting. A
// failed upload leaves the earlier evidence untouched. The name's extension follows the
// sniffed type (evidence.NameFor).
func (sv *Service) AddFile(ctx context.Context, u *account.User, id, indicator string, up Upload, max int64) (*Evidence, error) {
	name, err := evidence.CleanName(up.Name)
	if err != nil {
		return nil, err
	}
	if _, err := sv.editableFor(ctx, u, id, indicator); err != nil {
		return nil, err
	}
	st, err := sv.Blobs.Stage(ctx, up.Body, max)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	blob := st.Blob
	e := Evidence{ID: blob.ID, Kind: EvidenceFile, Name: evidence.NameFor(name, blob.Type), Size: blob.Size, Type: blob.Type}
	return sv.link(ctx, u, id, indicator, e, st)
}

// AddLink links a web address (an http or https URL) as evidence.
func (sv *Service) AddLink(ctx context.Context, u *account.User, id, indicator, rawURL, name string) (*Evidence, error) {
	e, err := NewLink(rawURL, name)
	if err != nil {
		return nil, err
	}
	if _, err := sv.editableFor(ctx, u, id, indicator); err != nil {
		return nil, err
	}
	return sv.link(ctx, u, id, indicator, e, nil)
}

// editableFor loads an assessment and checks u may change indicator now.
func (sv *Service) editableFor(ctx context.Context, u *account.User, id, indicator string) (*Assessment, error) {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	if _, ok := inst.Indicator(indicator); !ok {
		return nil, apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", indicator, inst.ID)
	}
	sh, err := sv.Store.Sheet(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, sv.CheckEditable(ctx, u, a, sh, indicator)
}

// link adds e to the indicator's evidence (once). For a file (st set) it first holds the
// bytes: records the reference, then commits the staged bytes, so they exist once referenced
// whatever a concurrent removal did. The answer's rev does not change: evidence is not the
// answer, and a colleague's upload must not turn one's own next save into a conflict.
func (sv *Service) link(ctx context.Context, u *account.User, id, indicator string, e Evidence, st *evidence.Staged) (*Evidence, error) {
	e.By, e.At = u.Username, sv.Now().UTC()
	var held *ref
	err := sv.mutateAnswer(ctx, u, id, indicator, func(ctx context.Context, c *Change, ans *Answer) error {
		if slices.ContainsFunc(ans.Evidence, func(x Evidence) bool { return x.ID == e.ID }) {
			return apperr.New(apperr.Conflict, "Bukti %q sudah terlampir pada indikator %s.", e.Name, indicator)
		}
		if st != nil && held == nil {
			r := ref{Assessment: id, Indicator: indicator, Unit: c.A.Unit}
			// The reference before the link: a crash in between keeps bytes, never loses them.
			if err := sv.Store.holdRef(ctx, e.ID, r); err != nil {
				return err
			}
			held = &r
			if err := sv.Blobs.Commit(ctx, st); err != nil {
				return err
			}
		}
		ans.Evidence = append(ans.Evidence, e)
		c.Audit(u.Username, audit.EvidenceAdd, "%s: %s (%s)", indicator, e.Name, e.Kind)
		return nil
	})
	if err != nil {
		if held != nil {
			// Not linked after all: give the reference back, and the bytes if nothing else
			// uses them.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancel()
			if rerr := sv.Store.db.Write(cctx, func(cctx context.Context) error { return sv.releaseBytes(cctx, e.ID, *held) }); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return nil, err
	}
	return &e, nil
}

// RemoveEvidence unlinks evidence from an indicator while the sheet is editable. The bytes
// are deleted only when no sheet links them any more (releaseBytes).
func (sv *Service) RemoveEvidence(ctx context.Context, u *account.User, id, indicator, evidenceID string) error {
	return sv.mutateAnswer(ctx, u, id, indicator, func(ctx context.Context, c *Change, ans *Answer) error {
		i := slices.IndexFunc(ans.Evidence, func(x Evidence) bool { return x.ID == evidenceID })
		if i < 0 {
			return apperr.New(apperr.NotFound, "Bukti tidak ditemukan pada indikator %s.", indicator)
		}
		gone := ans.Evidence[i]
		ans.Evidence = slices.Delete(ans.Evidence, i, i+1)
		c.Audit(u.Username, audit.EvidenceRemove, "%s: %s (%s)", indicator, gone.Name, gone.Kind)
		if gone.Kind != EvidenceFile {
			return nil
		}
		// The reference goes after the sheet no longer links the bytes.
		unit := c.A.Unit
		c.After(func(ctx context.Context) error {
			return sv.releaseBytes(ctx, evidenceID, ref{Assessment: id, Indicator: indicator, Unit: unit})
		})
		return nil
	})
}

// releaseTimeout bounds giving back a reference after a failed upload, on a context of its
// own (the request's ending may be why the upload failed).
const releaseTimeout = 30 * time.Second

// staleClaim is how long a removal's claim on bytes (see releaseBytes) is honoured on
// MongoDB before an upload takes it over: far longer than deleting the bytes takes (bounded by
// the request's timeout), so only a claim whose remover crashed is ever taken over.
const staleClaim = 5 * time.Minute

// releaseBytes drops one reference to the bytes sha and deletes them when none is left.
// "None is left" and the delete are one step: the removal claims the refs document (sets
// deleting, only if refs is empty and nobody claimed it), deletes the bytes, then removes the
// document. An upload's holdRef waits while a claim stands, then commits the bytes again. On
// the embedded engine all of it runs under the write lock (the caller's), where nothing can
// come between; on MongoDB each step is one atomic update.
func (sv *Service) releaseBytes(ctx context.Context, sha string, r ref) error {
	refs := sv.Store.refs
	if _, err := refs.UpdateOne(ctx, bson.D{{Key: "_id", Value: sha}}, bson.D{{Key: "$pull", Value: bson.D{{Key: "refs", Value: r}}}}); err != nil {
		return fmt.Errorf("evidence refs of %s: %w", sha, err)
	}
	claim := bson.NewObjectID()
	res, err := refs.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: sha}, {Key: "refs", Value: bson.D{{Key: "$size", Value: 0}}}, {Key: "deleting", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "deleting", Value: bson.D{{Key: "claim", Value: claim}, {Key: "at", Value: time.Now().UTC()}}}}}})
	if err != nil {
		return fmt.Errorf("claiming evidence %s: %w", sha, err)
	}
	if res.MatchedCount == 0 {
		return nil // still used by a sheet, or being deleted by someone else
	}
	if err := sv.Blobs.Delete(ctx, sha); err != nil {
		// The claim stays: an upload takes a stale claim over and commits the bytes again.
		return err
	}
	if _, err := refs.DeleteOne(ctx, bson.D{{Key: "_id", Value: sha}, {Key: "deleting.claim", Value: claim}}); err != nil {
		return fmt.Errorf("evidence refs of %s: %w", sha, err)
	}
	return nil
}

// mutateAnswer applies change to one indicator's answer through Apply, after judging, on the
// sheet read under the lock, that u may still change that indicator. change gets the write's
// context: what it writes belongs to the same locked step.
func (sv *Service) mutateAnswer(ctx context.Context, u *account.User, id, indicator string, change func(ctx context.Context, c *Change, ans *Answer) error) error {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return err
	}
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return err
	}
	_, err = sv.Apply(ctx, id, func(ctx context.Context, c *Change) error {
		if err := sv.editable(ctx, u, obj, c.A, c.Sheet, indicator); err != nil {
			return err
		}
		return change(ctx, c, c.Answer(indicator))
	})
	return err
}

// holdRef records that r links the bytes sha, waiting while a removal is deleting them (see
// Service.releaseBytes); the caller then commits the bytes, which exist from then on until
// the reference goes. A claim older than staleClaim (its remover crashed) is taken over; on
// the embedded engine every claim found is one, since a removal holds the write lock from its
// claim to its end, and so does the caller.
func (s *Store) holdRef(ctx context.Context, sha string, r ref) error {
	for {
		cutoff := time.Now().Add(-staleClaim).UTC()
		if s.db.Embedded {
			cutoff = time.Now().Add(time.Hour).UTC()
		}
		_, err := s.refs.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: sha}, {Key: "$or", Value: bson.A{
				bson.D{{Key: "deleting", Value: bson.D{{Key: "$exists", Value: false}}}},
				bson.D{{Key: "deleting.at", Value: bson.D{{Key: "$lt", Value: cutoff}}}}}}},
			bson.D{{Key: "$addToSet", Value: bson.D{{Key: "refs", Value: r}}}, {Key: "$unset", Value: bson.D{{Key: "deleting", Value: ""}}}},
			options.UpdateOne().SetUpsert(true))
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("evidence refs of %s: %w", sha, err)
		}
		// The document exists with a fresh claim: a removal is deleting these bytes now.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Refs lists the sheets that link the bytes sha.
func (s *Store) Refs(ctx context.Context, sha string) ([]ref, error) {
	var doc struct {
		Refs []ref `bson:"refs"`
	}
	err := s.refs.FindOne(ctx, bson.D{{Key: "_id", Value: sha}}).Decode(&doc)
	if err != nil && !isNoDocuments(err) {
		return nil, fmt.Errorf("evidence refs of %s: %w", sha, err)
	}
	return doc.Refs, nil
}

// SharedWith returns the other units whose sheets link the same bytes: the evaluator is told
// (the same SHA-256 used by two kecamatan), the upload is not refused.
func (s *Store) SharedWith(ctx context.Context, sha, unit string) ([]string, error) {
	refs, err := s.Refs(ctx, sha)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range refs {
		if r.Unit != unit && !slices.Contains(out, r.Unit) {
			out = append(out, r.Unit)
		}
	}
	return out, nil
}

// OpenEvidence returns the bytes of evidence sha linked from the assessment, for someone
// allowed to read it; evidence not linked from this sheet is NotFound (the id alone is no key).
func (sv *Service) OpenEvidence(ctx context.Context, u *account.User, a *Assessment, sha string) (*Evidence, io.ReadCloser, int64, error) {
	if err := sv.Access.Decide(ctx, u, account.Read, a); err != nil {
		return nil, nil, 0, err
	}
	sh, err := sv.Store.Sheet(ctx, a.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, ans := range sh.Answers {
		for _, e := range ans.Evidence {
			if e.ID == sha && e.Kind == EvidenceFile {
				rc, n, err := sv.Blobs.Open(ctx, sha)
				if apperr.Is(err, apperr.NotFound) {
					// Linked, but no bytes: the demo's evidence is names only, and on real data
					// the bytes went missing from the store. Say which, not a bare 404.
					return nil, nil, 0, apperr.New(apperr.NotFound,
						"Isi berkas %q tidak tersimpan di server. Pada data contoh (demo), berkas bukti hanya berupa nama tanpa isi; pada data sungguhan, minta pengunggahnya mengunggah ulang berkas ini dan laporkan kepada admin.", e.Name)
				}
				if err != nil {
					return nil, nil, 0, err
				}
				return &e, rc, n, nil
			}
		}
	}
	return nil, nil, 0, apperr.New(apperr.NotFound, "Berkas bukti tidak ditemukan.")
}
