package assessment

import (
	"context"
	"fmt"
	"io"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/evidence"
)

// Evidence kinds.
const (
	EvidenceFile = "file"
	EvidenceLink = "link"
)

// Blobs is where evidence bytes live (app/evidence: disk or GridFS).
type Blobs interface {
	Put(ctx context.Context, r io.Reader, max int64) (evidence.Blob, error)
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

// AddFile stores the bytes of an upload and links them to an indicator. The bytes are fully
// written and verified before the sheet links them, so a failed upload leaves the earlier
// evidence untouched. The returned Evidence carries Shared (other units using the same bytes).
func (sv *Service) AddFile(ctx context.Context, u *account.User, id, indicator string, up Upload, max int64) (*Evidence, error) {
	name, err := evidence.CleanName(up.Name)
	if err != nil {
		return nil, err
	}
	if _, err := sv.editableFor(ctx, u, id, indicator); err != nil {
		return nil, err
	}
	blob, err := sv.Blobs.Put(ctx, up.Body, max)
	if err != nil {
		return nil, err
	}
	e := Evidence{ID: blob.ID, Kind: EvidenceFile, Name: name, Size: blob.Size, Type: blob.Type}
	linked, err := sv.link(ctx, u, id, indicator, e)
	if err != nil {
		// Bytes no sheet links are not kept (they may be linked elsewhere: then they stay).
		if refs, rerr := sv.Store.Refs(ctx, blob.ID); rerr == nil && len(refs) == 0 {
			_ = sv.Blobs.Delete(ctx, blob.ID)
		}
		return nil, err
	}
	return linked, nil
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
	return sv.link(ctx, u, id, indicator, e)
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

// link adds e to the indicator's evidence (once) and records the reference. The answer's rev
// does not change: evidence is not the answer, and a colleague's upload must not turn one's
// own next save into a conflict.
func (sv *Service) link(ctx context.Context, u *account.User, id, indicator string, e Evidence) (*Evidence, error) {
	e.By, e.At = u.Username, sv.Now().UTC()
	err := sv.mutateSheet(ctx, u, id, indicator, func(a *Assessment, ans *Answer) (func() error, error) {
		if slices.ContainsFunc(ans.Evidence, func(x Evidence) bool { return x.ID == e.ID }) {
			return nil, apperr.New(apperr.Conflict, "Bukti %q sudah terlampir pada indikator %s.", e.Name, indicator)
		}
		if e.Kind == EvidenceFile {
			// The reference before the link: a crash in between keeps bytes, never loses them.
			if err := sv.Store.addRef(ctx, e.ID, ref{Assessment: id, Indicator: indicator, Unit: a.Unit}); err != nil {
				return nil, err
			}
		}
		ans.Evidence = append(ans.Evidence, e)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// RemoveEvidence unlinks evidence from an indicator while the sheet is editable. The bytes
// are deleted only when no sheet links them any more.
func (sv *Service) RemoveEvidence(ctx context.Context, u *account.User, id, indicator, evidenceID string) error {
	var orphan bool
	err := sv.mutateSheet(ctx, u, id, indicator, func(a *Assessment, ans *Answer) (func() error, error) {
		i := slices.IndexFunc(ans.Evidence, func(x Evidence) bool { return x.ID == evidenceID })
		if i < 0 {
			return nil, apperr.New(apperr.NotFound, "Bukti tidak ditemukan pada indikator %s.", indicator)
		}
		kind := ans.Evidence[i].Kind
		ans.Evidence = slices.Delete(ans.Evidence, i, i+1)
		if kind != EvidenceFile {
			return nil, nil
		}
		// The reference goes after the sheet no longer links the bytes.
		return func() error {
			left, err := sv.Store.dropRef(ctx, evidenceID, ref{Assessment: id, Indicator: indicator, Unit: a.Unit})
			orphan = left == 0
			return err
		}, nil
	})
	if err == nil && orphan {
		err = sv.Blobs.Delete(ctx, evidenceID)
	}
	return err
}

// mutateSheet applies change to one indicator's answer on a fresh read of the sheet, writes
// the sheet back conditioned on its rev (retrying when another indicator was saved
// meanwhile), runs what change returned to do after the write, and refreshes the snapshot.
// All of it under the write discipline of the engine.
func (sv *Service) mutateSheet(ctx context.Context, u *account.User, id, indicator string, change func(a *Assessment, ans *Answer) (func() error, error)) error {
	return sv.Store.db.Write(ctx, func(ctx context.Context) error {
		for attempt := 0; attempt < 20; attempt++ {
			a, err := sv.Store.ByID(ctx, id)
			if err != nil {
				return err
			}
			sh, err := sv.Store.Sheet(ctx, id)
			if err != nil {
				return err
			}
			if err := sv.CheckEditable(ctx, u, a, sh, indicator); err != nil {
				return err
			}
			ans := sh.Answer(indicator)
			if ans == nil {
				sh.Answers = append(sh.Answers, Answer{Indicator: indicator})
				ans = &sh.Answers[len(sh.Answers)-1]
			}
			after, err := change(a, ans)
			if err != nil {
				return err
			}
			rev := sh.Rev
			sh.Rev++
			ok, err := sv.Store.db.ReplaceIfRev(ctx, "sheets", id, rev, sh)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if after != nil {
				if err := after(); err != nil {
					return err
				}
			}
			return sv.Store.refreshProgress(ctx, sv, a, sh)
		}
		return apperr.New(apperr.Conflict, "Lembar kerja sedang banyak diubah. Coba lagi.")
	})
}

// refreshProgress recomputes the derived snapshot after an evidence change.
func (s *Store) refreshProgress(ctx context.Context, sv *Service, a *Assessment, sh *Sheet) error {
	inst, _ := sv.Catalog.Get(a.Instrument)
	prev, err := s.Previous(ctx, a)
	if err != nil {
		return err
	}
	if err := Rescore(inst, a, sh, prev); err != nil {
		return err
	}
	if err := s.db.SetIfNewer(ctx, "assessments", a.ID, "sheet_rev", sh.Rev, bson.D{
		{Key: "self", Value: a.Self}, {Key: "final", Value: a.Final}, {Key: "progress", Value: a.Progress}, {Key: "updated_at", Value: sv.Now().UTC()}}); err != nil {
		return err
	}
	return s.recorded(ctx, a.ID)
}

func (s *Store) addRef(ctx context.Context, sha string, r ref) error {
	_, err := s.refs.UpdateOne(ctx, bson.D{{Key: "_id", Value: sha}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "refs", Value: r}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("evidence refs of %s: %w", sha, err)
	}
	return nil
}

// dropRef removes one reference and returns how many remain.
func (s *Store) dropRef(ctx context.Context, sha string, r ref) (int, error) {
	if _, err := s.refs.UpdateOne(ctx, bson.D{{Key: "_id", Value: sha}}, bson.D{{Key: "$pull", Value: bson.D{{Key: "refs", Value: r}}}}); err != nil {
		return 0, fmt.Errorf("evidence refs of %s: %w", sha, err)
	}
	refs, err := s.Refs(ctx, sha)
	return len(refs), err
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
				if err != nil {
					return nil, nil, 0, err
				}
				return &e, rc, n, nil
			}
		}
	}
	return nil, nil, 0, apperr.New(apperr.NotFound, "Berkas bukti tidak ditemukan.")
}
